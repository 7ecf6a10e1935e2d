package domain_test

import (
	"encoding/json"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
)

// TestDateJSON: a date is a "YYYY-MM-DD" string in JSON, the zero Date the
// empty string, alone, in a struct and as a map key, and reads back.
func TestDateJSON(t *testing.T) {
	for _, s := range []string{"2026-11-20", "1970-01-01", "2100-12-31", "2024-02-29"} {
		t.Run(s, func(t *testing.T) {
			d, err := domain.ParseDate(s)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(struct {
				On  domain.Date          `json:"on"`
				Ptr *domain.Date         `json:"ptr"`
				By  map[domain.Date]bool `json:"by"`
			}{d, &d, map[domain.Date]bool{d: true}})
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"on":"` + s + `","ptr":"` + s + `","by":{"` + s + `":true}}`; string(b) != want {
				t.Errorf("Marshal: got %s, want %s", b, want)
			}
			var back struct {
				On domain.Date `json:"on"`
			}
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back.On != d {
				t.Errorf("round trip: got %v, want %v", back.On, d)
			}
		})
	}
	t.Run("zero", func(t *testing.T) {
		b, err := json.Marshal(domain.Date{})
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != `""` {
			t.Errorf("Marshal of zero: got %s, want \"\"", b)
		}
		var d domain.Date
		if err := json.Unmarshal(b, &d); err != nil || !d.IsZero() {
			t.Errorf("Unmarshal(%s) = %v, %v; want the zero Date", b, d, err)
		}
	})
}
