package projections

import (
	"reflect"

	"github.com/coachjournal/coachjournal/domain"
)

// erasedText is the one string every erased text field points at.
var erasedText = domain.Erased

// needsErasure reports whether any text field of d still holds text.
func needsErasure(d domain.Data) bool {
	for _, p := range d.TextFields() {
		if *p != domain.Erased {
			return true
		}
	}
	return false
}

// erasedCopy returns a deep copy of d with every text field erased. The
// original is left alone: readers may hold it.
func erasedCopy(d domain.Data) domain.Data {
	if m, ok := d.(*metricsData); ok {
		c := *m
		if c.corr != nil {
			c.corr = &erasedText
		}
		return &c
	}
	c := deepCopy(reflect.ValueOf(d)).Interface().(domain.Data)
	for _, p := range c.TextFields() {
		*p = domain.Erased
	}
	return c
}

// deepCopy copies v through pointers, slices, maps and exported struct
// fields. Unexported fields (those of Date and time.Time) are copied by
// value: they hold nothing that erasure changes.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(deepCopy(v.Elem()))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				n.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(deepCopy(v.Index(i)))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			n.SetMapIndex(it.Key(), deepCopy(it.Value()))
		}
		return n
	}
	return v
}

// erase makes every personal text of p read domain.Erased: the person's own
// fields and the data of every stored event of their journal.
func (s *Set) erase(p *person) {
	s.erased.Add(1)
	p.Erased = true
	p.Name, p.Email = domain.Erased, domain.Erased
	if p.Title != nil {
		p.Title = &erasedText
	}
	for _, i := range p.steps {
		st := s.steps.at(i)
		if needsErasure(st.data) {
			st.data = erasedCopy(st.data)
		}
	}
}
