package projections

import (
	"encoding/binary"
	"slices"

	"github.com/coachjournal/coachjournal/domain"
)

// metricsData is how a metrics.submitted event is stored: a map per event
// costs hundreds of bytes, so the metric keys are interned as a sorted key
// set shared by every submission with the same keys, and only the values
// are kept per event. Readers get a fresh *domain.MetricsSubmitted.
type metricsData struct {
	period domain.Period
	keys   *[]string // interned, sorted
	vals   []float64 // in keys order
	source string    // interned
	corr   *string
}

func (*metricsData) EventType() string       { return domain.TypeMetricsSubmitted }
func (m *metricsData) TextFields() []*string { return optText(m.corr) }

func optText(p *string) []*string {
	if p == nil {
		return nil
	}
	return []*string{p}
}

func (m *metricsData) expand() *domain.MetricsSubmitted {
	d := &domain.MetricsSubmitted{Period: m.period, Source: m.source, CorrectionReason: m.corr}
	if m.keys != nil {
		d.Values = make(map[string]float64, len(m.vals))
		for k, key := range *m.keys {
			d.Values[key] = m.vals[k]
		}
	}
	return d
}

// compactMetrics returns the stored form of d.
func (s *Set) compactMetrics(d *domain.MetricsSubmitted) *metricsData {
	m := &metricsData{period: d.Period, source: s.intern(d.Source), corr: d.CorrectionReason}
	if d.Values == nil {
		return m
	}
	keys := s.scratchKeys[:0]
	for k := range d.Values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	s.scratchKeys = keys
	buf := s.scratchBuf[:0]
	for _, k := range keys {
		buf = binary.AppendUvarint(buf, uint64(len(k)))
		buf = append(buf, k...)
	}
	s.scratchBuf = buf
	set, ok := s.keySets[string(buf)] // no allocation on lookup
	if !ok {
		ks := make([]string, len(keys))
		for i, k := range keys {
			ks[i] = s.intern(k)
		}
		set = &ks
		s.keySets[string(buf)] = set
	}
	m.keys = set
	m.vals = make([]float64, len(keys))
	for i, k := range *set {
		m.vals[i] = d.Values[k]
	}
	return m
}

// intern returns the one stored copy of a short, often repeated string.
func (s *Set) intern(v string) string {
	if c, ok := s.strings[v]; ok {
		return c
	}
	s.strings[v] = v
	return v
}

// exposed returns the Data readers see for stored data d.
func exposed(d domain.Data) domain.Data {
	if m, ok := d.(*metricsData); ok {
		return m.expand()
	}
	return d
}
