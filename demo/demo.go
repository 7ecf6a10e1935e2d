// Package demo seeds a realistic demo organisation (an owner, two sales
// leaders, twelve reps with archetypal numbers, commitments, 1-on-1s and
// PIPs, a year back from today) into an empty store, through the same
// commands the API executes, and prints a login for each role.
package demo

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections"
)

// TokenTTL is how long the printed demo tokens stay valid.
const TokenTTL = 7 * 24 * time.Hour

// Run seeds the demo organisation into an empty store (once: a restart
// finds the owner and seeds nothing), waits until the projections show it,
// then prints the URL and a token and login link for each role.
func Run(ctx context.Context, store *eventstore.Store, views *projections.Set, tokens *api.Tokens, now func() time.Time, base string, out io.Writer) error {
	if _, seeded := views.Person(ID(Owner)); !seeded {
		last, err := store.LastSequence(ctx)
		if err != nil {
			return err
		}
		if last > 0 {
			return fmt.Errorf("the store is not empty and holds no demo organisation; use an empty --data-dir")
		}
		began := time.Now()
		if err := Seed(ctx, store, now().UTC()); err != nil {
			return err
		}
		last, err = store.LastSequence(ctx)
		if err != nil {
			return err
		}
		if err := views.WaitFor(ctx, last); err != nil {
			return err
		}
		fmt.Fprintf(out, "\nseeded the demo organisation: %d events in %s\n", last, time.Since(began).Round(time.Millisecond))
	}
	return printLogins(out, tokens, now(), base)
}

// login is one printed login.
type login struct {
	label, sub string
	role       domain.Role
	env        string // the variable the README's API tour reads the token from
}

func logins() []login {
	return []login{
		{"owner (" + Owner + ")", ID(Owner).String(), domain.RoleMember, "OWNER_T"},
		{"sales leader (" + Leo + ")", ID(Leo).String(), domain.RoleMember, "LEO_T"},
		{"rep (" + Rep + ")", ID(Rep).String(), domain.RoleMember, "ANA_T"},
		{"HR (" + HR + ")", ID(HR).String(), domain.RoleHR, "HR_T"},
		{"analyst", "demo-analyst", domain.RoleAnalyst, "ANALYST_T"},
	}
}

func printLogins(out io.Writer, tokens *api.Tokens, now time.Time, base string) error {
	fmt.Fprintf(out, "\ncoachjournal demo at %s/ui/  (tokens valid for 7 days)\n", base)
	var env []string
	for _, l := range logins() {
		t, err := tokens.Mint(l.sub, l.role, TokenTTL)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n%s\n  open:  %s/ui/login?token=%s\n  token: %s\n", l.label, base, url.QueryEscape(t), t)
		env = append(env, l.env+"="+t)
	}
	fmt.Fprintf(out, "\nlook at: %s's team board (Ana: activity, Ben: conversion, Cy: deal size; the market month's banner),\n"+
		"%s's active PIP (HR), the owner's view of the leaders' teams and the cadence page as the owner (%s runs 40%% of 1-on-1s as pipeline reviews).\n"+
		"API: curl -H \"Authorization: Bearer $TOKEN\" %s/v1/people/%s/scorecard?period=%s\n",
		Leo, PIPNow, Priya, base, ID(Rep), domain.MonthPeriod(domain.DateOf(now.UTC()).AddDays(-now.UTC().Day())))
	// The README's API tour starts from these variables: the server, the
	// demo's dates as the server's clock has them, the people's ids and a
	// token per role (TestReadmeTour in cmd/coachjournal runs the tour
	// from the same lines).
	today := domain.DateOf(now.UTC())
	fmt.Fprintf(out, "\nfor the API tour in the README, paste:\n"+
		"export CJ=%s MONTH=%s WEEK=%s TODAY=%s NOW=%s IN_A_WEEK=%s \\\n"+
		"  OLIVIA=%s LEO=%s PRIYA=%s ANA=%s HANA=%s \\\n  %s\n",
		base, domain.MonthPeriod(today.AddDays(-today.Time().Day())), domain.WeekPeriod(today), today, now.UTC().Format(time.RFC3339), today.AddDays(7),
		ID(Owner), ID(Leo), ID(Priya), ID(Rep), ID(PIPNow), strings.Join(env, " \\\n  "))
	fmt.Fprintln(out)
	return nil
}
