package api

import (
	"strconv"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/labstack/echo/v4"
)

// List limits: a list answers 50 items unless asked, and never more than 500.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// listPage is the body of every list.
type listPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func page[T any](items []T, next uint64) listPage[T] {
	if items == nil {
		items = []T{}
	}
	p := listPage[T]{Items: items}
	if next > 0 {
		p.NextCursor = strconv.FormatUint(next, 10)
	}
	return p
}

// pageParams reads cursor and limit. The cursor is opaque to clients (it is
// the stream sequence of the last item returned); limit is capped at 500.
func pageParams(c echo.Context) (after uint64, limit int, err error) {
	var p domain.Problems
	if raw := c.QueryParam("cursor"); raw != "" {
		if after, err = strconv.ParseUint(raw, 10, 64); err != nil {
			p.Add("cursor", "is not a cursor this API returned")
		}
	}
	limit = defaultLimit
	if raw := c.QueryParam("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			p.Add("limit", "must be a whole number ≥ 1")
		}
		limit = min(n, maxLimit)
	}
	return after, limit, p.Err()
}

// paginate returns the items after the cursor (items are in ascending
// key order) and the cursor of the next page, 0 on the last.
func paginate[T any](items []T, key func(T) uint64, after uint64, limit int) ([]T, uint64) {
	start := 0
	for start < len(items) && key(items[start]) <= after {
		start++
	}
	items = items[start:]
	if len(items) <= limit {
		return items, 0
	}
	return items[:limit], key(items[limit-1])
}
