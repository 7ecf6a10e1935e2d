package domain

import (
	"errors"
	"fmt"
	"time"
)

// parsePeriodRef is ParsePeriod's first definition, kept as the oracle
// of the digit parser: fmt.Sscanf, then only the canonical spelling.
func parsePeriodRef(s string) (Period, error) {
	var y, n int
	if len(s) == 8 && s[4:6] == "-W" {
		if _, err := fmt.Sscanf(s, "%4d-W%2d", &y, &n); err == nil && y >= 1 && n >= 1 && n <= weeksIn(y) {
			if p := (Period{Year: y, Week: n}); p.String() == s {
				return p, nil
			}
		}
		return Period{}, errors.New("not a week")
	}
	if len(s) == 7 && s[4] == '-' {
		if _, err := fmt.Sscanf(s, "%4d-%2d", &y, &n); err == nil && y >= 1 && n >= 1 && n <= 12 {
			if p := (Period{Year: y, Mon: time.Month(n)}); p.String() == s {
				return p, nil
			}
		}
	}
	return Period{}, errors.New("not a period")
}

// ParsePeriodRef gives the external fuzz test the oracle.
var ParsePeriodRef = parsePeriodRef
