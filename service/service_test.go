package service

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections/snapshot"
	"github.com/google/uuid"
)

// TestStart: the assembled service answers through its API what was
// written before it started and since; with a snapshot dir it leaves a
// snapshot at Close and resumes from it, and without one it keeps none.
func TestStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, c := range []struct {
		name      string
		snapshots bool
	}{{"snapshots", true}, {"rebuilt", false}} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			tokens, err := api.NewTokens(make([]byte, 32))
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Store: eventstore.Config{DataDir: dir, NoSync: true}, Tokens: tokens, API: api.Config{Now: clock.Now}}
			if c.snapshots {
				cfg.SnapshotDir = snapshot.Dir(dir)
			}
			id := uuid.New()
			admin, _ := tokens.Mint("admin", domain.RoleAdmin, time.Hour)
			var last uint64 // the stream's last sequence at the first Close
			for round := range 2 {
				svc, err := Start(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if round == 0 {
					meta := domain.Meta{Actor: domain.Actor{ID: "admin", Role: domain.RoleAdmin}, Now: clock.Now()}
					if _, err := svc.Store.Execute(ctx, domain.Write{PersonID: id, Command: domain.RegisterPerson{Name: "Ana Lima", Email: "ana@example.com"}, Meta: meta}); err != nil {
						t.Fatal(err)
					}
				}
				if want := map[bool]uint64{true: last, false: 0}[round == 1 && c.snapshots]; svc.FollowedFrom != want {
					t.Errorf("round %d followed from %d, want %d", round, svc.FollowedFrom, want)
				}
				if last, err = svc.Store.LastSequence(ctx); err != nil {
					t.Fatal(err)
				}
				req := httptest.NewRequest(http.MethodGet, "/v1/people/"+id.String(), nil)
				req.Header.Set("Authorization", "Bearer "+admin)
				req.Header.Set("X-Min-Sequence", strconv.FormatUint(last, 10)) // the write above went to the store directly
				rec := httptest.NewRecorder()
				svc.Handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Errorf("round %d: GET the person: %d %s", round, rec.Code, rec.Body)
				}
				if err := svc.Close(); err != nil {
					t.Fatal(err)
				}
			}
			_, err = os.Stat(filepath.Join(snapshot.Dir(dir), snapshot.FileName))
			if c.snapshots != (err == nil) {
				t.Errorf("snapshot file after Close: %v, want one: %v", err, c.snapshots)
			}
		})
	}
}
