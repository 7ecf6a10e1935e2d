package api_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// TestOrgInvariantsUnderConcurrency: random concurrent manager changes,
// registrations and departures, sent to two replicas sharing one stream
// (so no in-process lock can serialise them), never leave a reporting
// cycle, a manager who is not registered, or a person still at work who
// reports to someone departed, whatever the interleaving. The org is read
// from the stream itself after each round. On a main without the org
// condition, the A-under-B / B-under-A pairs alone made cycles.
func TestOrgInvariantsUnderConcurrency(t *testing.T) {
	if testing.Short() {
		t.Skip("many concurrent rounds")
	}
	a := apitest.Start(t)
	b := apitest.StartWith(t, apitest.Options{NATSURL: a.Store.Server().ClientURL(), KeyDir: a.DataDir})
	replicas := []*apitest.Env{a, b}
	admin := a.Token("admin-service", domain.RoleAdmin)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))

	const rounds, people, ops = 12, 6, 10
	var mu sync.Mutex
	answers := map[int]int{}
	for round := range rounds {
		ids := make([]string, 0, people)
		for i := range people {
			body := map[string]any{"name": fmt.Sprintf("P%d-%d", round, i), "email": fmt.Sprintf("p%d.%d@example.com", round, i)}
			if i > 0 { // a small random tree under the first
				body["manager_id"] = ids[rng.IntN(len(ids))]
			}
			ids = append(ids, a.Created(http.MethodPost, "/v1/people", admin, body))
		}
		// Both replicas see the new people before they are asked to move them.
		wait, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := b.Views.WaitFor(wait, a.LastSeq()); err != nil {
			t.Fatal(err)
		}
		cancel()
		type op struct {
			env     *apitest.Env
			path    string
			payload map[string]any
		}
		batch := make([]op, 0, ops)
		// Always one pair that would make a cycle together.
		x, y := ids[1+rng.IntN(people-1)], ids[1+rng.IntN(people-1)]
		for x == y {
			y = ids[1+rng.IntN(people-1)]
		}
		batch = append(batch, op{a, "/v1/people/" + x + "/manager", map[string]any{"manager_id": y}},
			op{b, "/v1/people/" + y + "/manager", map[string]any{"manager_id": x}})
		for len(batch) < ops {
			env := replicas[rng.IntN(2)]
			who, to := ids[rng.IntN(people)], ids[rng.IntN(people)]
			switch rng.IntN(3) {
			case 0:
				var mgr any = to
				if rng.IntN(6) == 0 {
					mgr = nil
				}
				batch = append(batch, op{env, "/v1/people/" + who + "/manager", map[string]any{"manager_id": mgr}})
			case 1:
				batch = append(batch, op{env, "/v1/people", map[string]any{"name": "New", "email": "new@example.com", "manager_id": to}})
			default:
				batch = append(batch, op{env, "/v1/people/" + who + "/departure", map[string]any{"on": day(0), "reason": "left"}})
			}
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, o := range batch {
			wg.Go(func() {
				<-start
				r := o.env.Do(http.MethodPost, o.path, admin, o.payload)
				switch r.Status {
				case http.StatusCreated, http.StatusConflict, http.StatusUnprocessableEntity:
				default:
					t.Errorf("POST %s: %d %s", o.path, r.Status, r.Body)
				}
				mu.Lock()
				answers[r.Status]++
				mu.Unlock()
			})
		}
		close(start)
		wg.Wait()
		org, err := a.Store.Org(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if msg := orgBroken(org); msg != "" {
			t.Fatalf("round %d: %s (answers so far %v)", round, msg, answers)
		}
	}
	t.Logf("answers: %v", answers)
}

// orgBroken names the first broken org invariant, or returns "".
func orgBroken(o *domain.Org) string {
	everyone := o.People()
	for _, id := range everyone {
		seen := map[uuid.UUID]bool{id: true}
		for cur := id; ; {
			mgr, ok := o.Manager(cur)
			if !ok {
				break // the chain ends at a root
			}
			if !o.Has(mgr) {
				return fmt.Sprintf("%s's chain reaches %s, who is not registered", id, mgr)
			}
			if seen[mgr] {
				return fmt.Sprintf("%s's chain has a cycle through %s", id, mgr)
			}
			seen[mgr] = true
			cur = mgr
		}
		if mgr, ok := o.Manager(id); ok && !o.Departed(id) && o.Departed(mgr) {
			return fmt.Sprintf("%s is at work but reports to %s, who departed", id, mgr)
		}
	}
	return ""
}
