package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// The timeline's from and to select by occurred_at (from inclusive, to
// exclusive; a date is midnight UTC), with the type filter; a value that
// is neither a time nor a date is refused, naming the parameter.
func TestTimelineRange(t *testing.T) {
	o := newOrg(t)
	var seq string
	for _, text := range []string{"first", "second", "third"} {
		w := o.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.anaT,
			map[string]any{"text": text, "due_on": day(7)})
		seq = w.Header.Get("X-Journal-Sequence")
	}
	// occurred_at of the three, oldest first, as the timeline shows them.
	timeline := func(query string) []string {
		var page struct {
			Items []struct {
				OccurredAt string `json:"occurred_at"`
			} `json:"items"`
		}
		o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ana+"/timeline?type=commitment.&"+query, o.leaderT, nil,
			"X-Min-Sequence", seq).Decode(t, &page)
		at := []string{}
		for _, it := range page.Items {
			at = append(at, it.OccurredAt)
		}
		return at
	}
	all := timeline("")
	if len(all) != 3 || all[0] == all[1] || all[1] == all[2] {
		t.Fatalf("timeline = %v, want three commitments at distinct times", all)
	}
	q := url.QueryEscape
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"from=" + day(0), all},
		{"from=" + day(1), nil},
		{"to=" + day(0), nil},
		{"from=" + day(0) + "&to=" + day(1), all},
		{"from=" + q(all[1]), all[1:]}, // inclusive
		{"to=" + q(all[1]), all[:1]},   // exclusive
		{"from=" + q(all[1]) + "&to=" + q(all[2]), all[1:2]},
	} {
		if got := timeline(tc.query); !slices.Equal(got, tc.want) {
			t.Errorf("?%s: %v, want %v", tc.query, got, tc.want)
		}
	}
	m := o.Must(http.StatusUnprocessableEntity, http.MethodGet, "/v1/people/"+o.ana+"/timeline?from=last-week", o.leaderT, nil).Map(t)
	if m["code"] != "validation_failed" || m["errors"].([]any)[0].(map[string]any)["field"] != "from" {
		t.Fatalf("from=last-week: %v", m)
	}
}
