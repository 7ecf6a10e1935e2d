package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/domain"
)

// token mints a bearer token signed with the data dir's signing key.
func token(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	sub := fs.String("sub", "", "subject: a person id, or a service name for admin/hr/analyst")
	role := fs.String("role", "member", "role: admin, hr, analyst or member")
	ttl := fs.Duration("ttl", 24*time.Hour, "time to live")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	r, ok := domain.ParseRole(*role)
	if !ok || *sub == "" || *ttl <= 0 {
		return errors.New("token needs --sub, a --role of admin, hr, analyst or member, and a positive --ttl")
	}
	key, err := api.LoadOrCreateKey(sf.signingKeyFile())
	if err != nil {
		return err
	}
	tokens, err := api.NewTokens(key)
	if err != nil {
		return err
	}
	t, err := tokens.Mint(*sub, r, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, t)
	return nil
}
