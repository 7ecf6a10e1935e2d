package export

import (
	"strconv"
	"time"
)

// MetricRow is one row of the metrics table: one metric of one submission.
// In clear the pseudonym columns hold person ids.
type MetricRow struct {
	Pseudonym        string    `parquet:"pseudonym"`
	ManagerPseudonym *string   `parquet:"manager_pseudonym,optional"` // the manager when submitted; null at the top of the org
	Period           string    `parquet:"period"`                     // 2026-W47 or 2026-11
	Month            string    `parquet:"month"`                      // the month the period rolls into
	Metric           string    `parquet:"metric"`
	Value            float64   `parquet:"value"`
	RecordedAt       time.Time `parquet:"recorded_at,timestamp(microsecond)"`
	Source           string    `parquet:"source"`   // self, manager or import
	Sequence         int64     `parquet:"sequence"` // of the submission: a later one for a period replaces an earlier one
}

// EventRow is one row of the events table: one event.
type EventRow struct {
	Sequence   int64     `parquet:"sequence"`
	Type       string    `parquet:"type"`
	Pseudonym  string    `parquet:"pseudonym"`
	OccurredAt time.Time `parquet:"occurred_at,timestamp(microsecond)"`
	RecordedAt time.Time `parquet:"recorded_at,timestamp(microsecond)"`
}

// ScorecardRow is one row of the scorecards table: one metric of one
// person's month, as the scorecard shows it once the whole stream is read
// (corrections and monthly submissions applied, the standard in force on
// the month's first day).
type ScorecardRow struct {
	Pseudonym  string   `parquet:"pseudonym"`
	Month      string   `parquet:"month"`
	Metric     string   `parquet:"metric"`
	Kind       *string  `parquet:"kind,optional"` // leading or lagging; null for a metric of unknown kind
	Derived    bool     `parquet:"derived"`       // win_rate and avg_deal_size, computed from the sums
	Target     *float64 `parquet:"target,optional"`
	Actual     *float64 `parquet:"actual,optional"`
	Attainment *float64 `parquet:"attainment,optional"` // actual / target
}

// The CSV headers; the Parquet columns have the same names.
var (
	metricsHeader    = []string{"pseudonym", "manager_pseudonym", "period", "month", "metric", "value", "recorded_at", "source", "sequence"}
	eventsHeader     = []string{"sequence", "type", "pseudonym", "occurred_at", "recorded_at"}
	scorecardsHeader = []string{"pseudonym", "month", "metric", "kind", "derived", "target", "actual", "attainment"}
)

const csvTime = "2006-01-02T15:04:05.000000Z07:00"

func (r MetricRow) csv() []string {
	mgr := ""
	if r.ManagerPseudonym != nil {
		mgr = *r.ManagerPseudonym
	}
	return []string{r.Pseudonym, mgr, r.Period, r.Month, r.Metric, strconv.FormatFloat(r.Value, 'g', -1, 64),
		r.RecordedAt.UTC().Format(csvTime), r.Source, strconv.FormatInt(r.Sequence, 10)}
}

func (r ScorecardRow) csv() []string {
	kind := ""
	if r.Kind != nil {
		kind = *r.Kind
	}
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', -1, 64)
	}
	return []string{r.Pseudonym, r.Month, r.Metric, kind, strconv.FormatBool(r.Derived), num(r.Target), num(r.Actual), num(r.Attainment)}
}

func (r EventRow) csv() []string {
	return []string{strconv.FormatInt(r.Sequence, 10), r.Type, r.Pseudonym,
		r.OccurredAt.UTC().Format(csvTime), r.RecordedAt.UTC().Format(csvTime)}
}
