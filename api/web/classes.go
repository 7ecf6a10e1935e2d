package web

import "github.com/a-h/templ"

// classSet is the class attributes prefix+v+suffix of the values v an
// element in a loop takes, spread onto it ({ set.of(v)... }) in place of
// class={ prefix + v }: templ runs every class={ } through its CSS class
// processing (a slice, a map, a builder and their strings per element),
// while a spread attribute is escaped as any other attribute value is. The
// attributes of the values listed are built once.
type classSet struct {
	prefix, suffix string
	built          map[string]*templ.OrderedAttributes
}

func newClassSet(prefix, suffix string, values ...string) classSet {
	c := classSet{prefix: prefix, suffix: suffix, built: make(map[string]*templ.OrderedAttributes, len(values))}
	for _, v := range values {
		c.built[v] = &templ.OrderedAttributes{{Key: "class", Value: prefix + v + suffix}}
	}
	return c
}

// of is the class attribute of v: the one built, or a new one for a value
// not listed.
func (c classSet) of(v string) templ.Attributer {
	if a, ok := c.built[v]; ok {
		return a
	}
	return templ.OrderedAttributes{{Key: "class", Value: c.prefix + v + c.suffix}}
}

// bands are what band returns (the board's cells choose their class
// among them with constant attributes).
var bands = []string{"good", "near", "short", "low", "none"}

var (
	bandClass = newClassSet("", "", bands...) // a figure coloured by its band
	// goalStatusClass is a PIP goal's status at a check-in ("" not rated).
	goalStatusClass = newClassSet("st-", "", "", "on_track", "at_risk", "met", "not_met")
	// scheduleClass is an expected check-in's row (projections.ExpectedCheckIn).
	scheduleClass = newClassSet("sched-", "", "on_time", "late", "missed")
	// commitmentClass and overdueClass are a commitment's item on the rep page.
	commitmentClass = newClassSet("c-", "", "open", "kept", "missed", "withdrawn")
	overdueClass    = newClassSet("c-", " overdue", "open")
)
