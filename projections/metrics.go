package projections

import (
	"encoding/binary"
	"slices"
	"time"

	"github.com/coachjournal/coachjournal/domain"
)

// metricsData is how a metrics.submitted event is stored, in 48 bytes
// plus its values: a map per event costs hundreds of bytes, so the metric
// keys and the source are interned as a shape shared by every submission
// with the same keys and source, the period is packed, and the values sit
// in a slab shared by many submissions. Readers get a fresh
// *domain.MetricsSubmitted.
type metricsData struct {
	shape  *metricsShape
	corr   *string
	vals   []float64 // in shape.keys order; len == cap, in a shared slab
	period packedPeriod
}

// metricsShape is what many submissions share: the sorted key set and the
// source.
type metricsShape struct {
	keys   *[]string // interned, sorted; nil when the event had no values
	source string    // interned
}

// packedPeriod is a domain.Period in 4 bytes: any four-digit year.
type packedPeriod struct {
	year      int16
	week, mon uint8
}

func packPeriod(p domain.Period) (packedPeriod, bool) {
	if p.Year < 0 || p.Year > 9999 || p.Week < 0 || p.Week > 53 || p.Mon < 0 || p.Mon > 12 {
		return packedPeriod{}, false
	}
	return packedPeriod{year: int16(p.Year), week: uint8(p.Week), mon: uint8(p.Mon)}, true
}

func (p packedPeriod) unpack() domain.Period {
	return domain.Period{Year: int(p.year), Week: int(p.week), Mon: time.Month(p.mon)}
}

func (*metricsData) EventType() string       { return domain.TypeMetricsSubmitted }
func (m *metricsData) TextFields() []*string { return optText(m.corr) }

func (m *metricsData) keys() []string {
	if m.shape.keys == nil {
		return nil
	}
	return *m.shape.keys
}

func optText(p *string) []*string {
	if p == nil {
		return nil
	}
	return []*string{p}
}

func (m *metricsData) expand() *domain.MetricsSubmitted {
	d := &domain.MetricsSubmitted{Period: m.period.unpack(), Source: m.shape.source, CorrectionReason: m.corr}
	if m.shape.keys != nil {
		d.Values = make(map[string]float64, len(m.vals))
		for k, key := range *m.shape.keys {
			d.Values[key] = m.vals[k]
		}
	}
	return d
}

// slabSize is how many values one slab of metric values holds.
const slabSize = 4096

// floatSlab hands out value slices carved from shared arrays.
type floatSlab []float64

// take returns n zeroed values, capped so that an append never reaches
// the next submission's.
func (f *floatSlab) take(n int) []float64 {
	if len(*f)+n > cap(*f) {
		*f = make([]float64, 0, max(slabSize, n))
	}
	lo := len(*f)
	*f = (*f)[:lo+n]
	return (*f)[lo : lo+n : lo+n]
}

// shapeOf returns the one stored shape of keys and source; shapes is
// keyed by the shape's own value.
func shapeOf(shapes map[metricsShape]*metricsShape, keys *[]string, source string) *metricsShape {
	k := metricsShape{keys: keys, source: source}
	if sh, ok := shapes[k]; ok {
		return sh
	}
	sh := &k
	shapes[k] = sh
	return sh
}

// compactMetrics returns the stored form of d, or nil when d does not fit
// it (a period beyond four-digit years) and is kept as it is.
func (s *Set) compactMetrics(d *domain.MetricsSubmitted) *metricsData {
	period, ok := packPeriod(d.Period)
	if !ok {
		return nil
	}
	m := &metricsData{period: period, corr: d.CorrectionReason}
	if d.Values == nil {
		m.shape = shapeOf(s.shapes, nil, s.intern(d.Source))
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
	m.shape = shapeOf(s.shapes, set, s.intern(d.Source))
	m.vals = s.slab.take(len(keys))
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
