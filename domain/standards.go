package domain

import (
	"math"
	"strconv"
)

// TargetInput is one target of a SetStandard command.
type TargetInput struct {
	Metric string   `json:"metric"`
	Target *float64 `json:"target"`
	Kind   string   `json:"kind"`
	Unit   *string  `json:"unit"`
}

// SetStandard versions the expectations, for the person ("self") or for
// their reports ("reports"), from a date. Rules: 1–50 targets with distinct
// well-formed metric keys, each target finite and > 0, kind leading or lagging.
type SetStandard struct {
	AppliesTo     string        `json:"applies_to"`
	EffectiveFrom string        `json:"effective_from"`
	Period        string        `json:"period"`
	Targets       []TargetInput `json:"targets"`
}

func (c SetStandard) decide(j *Journal, m Meta) (Data, error) {
	var p Problems
	d := &StandardSet{
		AppliesTo:     p.oneOf("applies_to", c.AppliesTo, "self", "reports"),
		EffectiveFrom: p.date("effective_from", c.EffectiveFrom),
		Period:        "month",
	}
	if c.Period != "" {
		d.Period = p.oneOf("period", c.Period, "month")
	}
	if len(c.Targets) == 0 || len(c.Targets) > 50 {
		p.Add("targets", "must hold 1 to 50 targets")
	}
	seen := map[string]bool{}
	for i, t := range c.Targets {
		f := "targets[" + strconv.Itoa(i) + "]"
		p.metricKey(f+".metric", t.Metric)
		if seen[t.Metric] {
			p.Add(f+".metric", "repeats metric %q", t.Metric)
		}
		seen[t.Metric] = true
		if t.Target == nil {
			p.Add(f+".target", "is required")
		} else {
			p.number(f+".target", *t.Target, math.SmallestNonzeroFloat64, math.MaxFloat64)
		}
		kind := p.oneOf(f+".kind", t.Kind, "leading", "lagging")
		tg := Target{Metric: t.Metric, Kind: kind, Unit: p.optName(f+".unit", t.Unit)}
		if t.Target != nil {
			tg.Target = *t.Target
		}
		d.Targets = append(d.Targets, tg)
	}
	return d, p.Err()
}

// SetCadence sets the meeting cadence a manager commits to: 7 or 14 days.
type SetCadence struct {
	EveryDays int `json:"every_days"`
}

func (c SetCadence) decide(j *Journal, m Meta) (Data, error) {
	if c.EveryDays != 7 && c.EveryDays != 14 {
		return nil, Invalid(FieldError{"every_days", "must be 7 or 14"})
	}
	return &CadenceSet{EveryDays: c.EveryDays}, nil
}

// SubmitMetrics records numbers for a week or a month. Rules:
//  1. the period is well formed and has started (not in the future);
//  2. 1–100 values, keys well formed, values finite and ≥ 0;
//  3. source is self (only the person), manager (not the person) or import (admin);
//  4. a correction_reason is required when the period already has a submission.
type SubmitMetrics struct {
	Period           string             `json:"period"`
	Values           map[string]float64 `json:"values"`
	Source           string             `json:"source"`
	CorrectionReason *string            `json:"correction_reason"`
}

func (c SubmitMetrics) decide(j *Journal, m Meta) (Data, error) {
	var p Problems
	d := &MetricsSubmitted{Values: c.Values, CorrectionReason: p.optNote("correction_reason", c.CorrectionReason)}
	if per, err := ParsePeriod(c.Period); err != nil {
		p.Add("period", "%s", err)
	} else if !InYears(per.Start().Time()) || !InYears(per.End().Time()) {
		p.Add("period", "%s", yearsMessage)
	} else if per.Start().After(m.today()) {
		p.Add("period", "%s is in the future", per)
	} else {
		d.Period = per
		if j.periods[per] && d.CorrectionReason == nil {
			p.Add("correction_reason", "is required: %s already has a submission", per)
		}
	}
	if len(c.Values) == 0 || len(c.Values) > 100 {
		p.Add("values", "must hold 1 to 100 metrics")
	}
	for k, v := range c.Values {
		p.metricKey("values."+k, k)
		p.number("values."+k, v, 0, math.MaxFloat64)
	}
	d.Source = p.oneOf("source", c.Source, "self", "manager", "import")
	self := j.isPerson(m.Actor)
	switch {
	case d.Source == "self" && !self:
		p.Add("source", "self is for a person submitting their own numbers")
	case d.Source == "manager" && self:
		p.Add("source", "manager is for numbers submitted on someone else's behalf")
	case d.Source == "import" && m.Actor.Role != RoleAdmin:
		p.Add("source", "import is for admins")
	}
	return d, p.Err()
}
