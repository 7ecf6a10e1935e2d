package api

import (
	"fmt"
	"time"

	"github.com/coachjournal/coachjournal/domain"
)

// One rule for query parameters (SPEC §4): a value that is not of the
// parameter's form, lies outside the years 1970–2100 (domain.MinYear,
// MaxYear), or a range whose start is after its end, is 422
// validation_failed naming the parameter, like a body's invalid value;
// 400 is only for a body that is not JSON or has fields the route does not
// take. TestQueryParams422 holds every query parameter of every route to it.

// yearsMessage is how a query value outside the years is refused.
var yearsMessage = fmt.Sprintf("must lie between the years %d and %d", domain.MinYear, domain.MaxYear)

// periodInYears reports whether a period lies in domain.MinYear..MaxYear.
func periodInYears(p domain.Period) bool {
	return p.Year >= domain.MinYear && p.Year <= domain.MaxYear
}

// rangeOrder adds a problem on from when both bounds are set and from is after to.
func rangeOrder(p *domain.Problems, from, to time.Time) {
	if !from.IsZero() && !to.IsZero() && from.After(to) {
		p.Add("from", "must be on or before to")
	}
}
