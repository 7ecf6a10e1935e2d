package api

import (
	"sync"
	"time"
)

// maxVerifiedTokens bounds the verified-token cache: beyond it, expired
// tokens are dropped, and if that frees too little, arbitrary ones.
const maxVerifiedTokens = 10_000

// verifiedTokens remembers the principal of each token that passed
// verification (signature, alg, exp/nbf, iss/aud, sub and role) until the
// token expires (exp plus the clock leeway), so that the signature check
// and the parsing of the claims run once per token, not once per request.
//
// Verification is a pure function of the token, the keys and the clock:
// nothing revokes a token today, not the erasure or the departure of its
// subject (what they may see follows the org tree at every request, not
// the token), so a remembered principal is exactly what verifying again
// would give until the expiry, and the expiry is checked at every use.
// Only valid tokens are kept, and only up to maxVerifiedTokens of them
// (a token is at most maxTokenLen bytes), so invalid tokens cannot fill
// it. Keys are fixed for the process; a new identity provider clears it.
type verifiedTokens struct {
	max int

	mu sync.RWMutex
	m  map[string]verifiedToken
}

type verifiedToken struct {
	p     Principal
	until time.Time // valid while now is before until
}

func newVerifiedTokens(max int) verifiedTokens {
	return verifiedTokens{max: max, m: map[string]verifiedToken{}}
}

// get returns the principal of a remembered token that is still valid at now.
func (v *verifiedTokens) get(token string, now time.Time) (Principal, bool) {
	v.mu.RLock()
	e, ok := v.m[token]
	v.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return Principal{}, false
	}
	return e.p, true
}

// put remembers a verified token until until.
func (v *verifiedTokens) put(token string, p Principal, until, now time.Time) {
	if v.m == nil || !now.Before(until) {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.m) >= v.max {
		v.shrink(now)
	}
	v.m[token] = verifiedToken{p: p, until: until}
}

// shrink drops the expired tokens and, while more than 3/4 of the room is
// still taken, arbitrary others (map order): they are verified again on
// their next use.
func (v *verifiedTokens) shrink(now time.Time) {
	for k, e := range v.m {
		if !now.Before(e.until) {
			delete(v.m, k)
		}
	}
	for k := range v.m {
		if len(v.m) <= v.max*3/4 {
			break
		}
		delete(v.m, k)
	}
}

func (v *verifiedTokens) clear() {
	v.mu.Lock()
	defer v.mu.Unlock()
	clear(v.m)
}
