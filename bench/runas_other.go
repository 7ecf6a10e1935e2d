//go:build !unix

package bench

import "os/exec"

// pgUser: elsewhere the servers run as the bench's own user.
type pgUser struct{}

func lookupPGUser() (*pgUser, error) { return nil, nil }
func (u *pgUser) apply(*exec.Cmd)    {}
func (u *pgUser) own(string) error   { return nil }
