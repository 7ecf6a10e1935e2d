package api_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// TestConcurrentResolutions: 50 racing resolutions of one commitment give
// exactly one 2xx, 409 for the rest, and one resolution event.
func TestConcurrentResolutions(t *testing.T) {
	o := newOrg(t)
	c := o.Created(http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.anaT, map[string]any{"text": "call ten prospects", "due_on": day(3)})
	statuses := race(50, func(i int) int {
		status := []string{"kept", "missed"}[i%2]
		return o.Do(http.MethodPost, "/v1/people/"+o.ana+"/commitments/"+c+"/resolution", o.leaderT, map[string]any{"status": status}).Status
	})
	if statuses[http.StatusCreated] != 1 || statuses[http.StatusConflict] != 49 {
		t.Fatalf("statuses = %v, want one 201 and 49 409", statuses)
	}
	if n := countTypes(t, o, o.ana, "commitment.kept", "commitment.missed"); n != 1 {
		t.Fatalf("resolution events = %d, want 1", n)
	}
}

// TestConcurrentPIPOpenings: two racing openings give one PIP.
func TestConcurrentPIPOpenings(t *testing.T) {
	o := newOrg(t)
	body := map[string]any{"reason": "below standard", "starts_on": day(0), "ends_on": day(30),
		"goals": []map[string]any{{"text": "double the pipeline"}}}
	statuses := race(2, func(int) int {
		return o.Do(http.MethodPost, "/v1/people/"+o.ben+"/pips", o.hr, body).Status
	})
	if statuses[http.StatusCreated] != 1 || statuses[http.StatusConflict] != 1 {
		t.Fatalf("statuses = %v, want one 201 and one 409", statuses)
	}
	if n := countTypes(t, o, o.ben, "pip.opened"); n != 1 {
		t.Fatalf("pip.opened events = %d, want 1", n)
	}
}

// race runs n calls at once and counts their statuses.
func race(n int, call func(i int) int) map[int]int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	statuses := map[int]int{}
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			s := call(i)
			mu.Lock()
			statuses[s]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return statuses
}

// countTypes counts the events of the given types in a journal, read from the stream.
func countTypes(t *testing.T, o *org, person string, types ...string) int {
	t.Helper()
	evs, err := o.Store.ReadJournal(context.Background(), uuid.MustParse(person))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		for _, typ := range types {
			if e.Type == typ {
				n++
			}
		}
	}
	return n
}
