package demo

import (
	"github.com/google/uuid"
)

// namespace derives the demo people's ids from their names, so a restart with
// --demo finds them again instead of seeding twice, and a reviewer can
// tell the same ids apart across runs.
var namespace = uuid.MustParse("0b6d1c52-56a4-4a52-8b0c-6a1f7f0d9c3e")

// ID is the id of the demo person with this name.
func ID(name string) uuid.UUID { return uuid.NewSHA1(namespace, []byte(name)) }

// The demo's cast. The owner leads two sales leaders; Leo holds a weekly
// performance 1-on-1 with each rep (skipping two weeks), Priya holds one in
// about 60% of weeks and runs the rest as pipeline reviews, and sees Lou
// only every other week.
const (
	Owner  = "Olivia Grant"
	Leo    = "Leo Marsh"
	Priya  = "Priya Shah"
	HR     = "Helen Ward"
	Rep    = "Ana Lima" // the rep whose token is printed
	PIPWon = "Gus Novak"
	PIPNow = "Hana Ito"
)

// repProfile is a rep's archetype: their usual month (new
// opportunities, win rate, average deal size; the team standard is 10,
// 0.40 and 50,000) and how reliably they keep commitments.
type repProfile struct {
	name, email, manager string
	opps, win, size      float64
	keep                 float64 // probability a commitment is kept
	note                 string  // what the reviewer should see
}

var reps = []repProfile{
	{"Ana Lima", "ana@demo.example", Leo, 6, 0.42, 50000, 0.67, "will: short on activity (diagnosis activity)"},
	{"Ben Brook", "ben@demo.example", Leo, 11, 0.20, 50000, 0.35, "skill: converts poorly (conversion); breaks commitments"},
	{"Cy Chen", "cy@demo.example", Leo, 10, 0.42, 27000, 0.8, "targeting: closes small deals (deal_size)"},
	{"Dee Diaz", "dee@demo.example", Leo, 11, 0.44, 52000, 0.9, "steady performer; keeps commitments"},
	{"Eli Moreno", "eli@demo.example", Leo, 11, 0.45, 50500, 1.0, "steady performer; keeps every commitment"},
	{"Fay Olsen", "fay@demo.example", Leo, 11, 0.44, 49500, 0.45, "steady numbers; breaks commitments"},
	{"Gus Novak", "gus@demo.example", Priya, 10, 0.44, 50000, 0.85, "PIP on conversion that succeeded (closed)"},
	{"Hana Ito", "hana@demo.example", Priya, 10, 0.24, 48000, 0.5, "active PIP: revised, re-acknowledged, one late check-in"},
	{"Ivan Petrov", "ivan@demo.example", Priya, 11, 0.44, 51000, 0.9, "steady performer"},
	{"Jo Kim", "jo@demo.example", Priya, 12, 0.45, 54000, 0.9, "top performer"},
	{"Kai Berg", "kai@demo.example", Priya, 7, 0.43, 52000, 0.6, "mildly short on activity"},
	{"Lou Reyes", "lou@demo.example", Priya, 11, 0.44, 50000, 0.8, "steady performer"},
}

// The team standard: 10 × 0.40 × 50,000 = 200,000 a month.
const (
	stdOpps    = 10.0
	stdWinRate = 0.40
	stdSize    = 50000.0
)
