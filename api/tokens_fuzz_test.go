package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// fuzzKey signs the committed seed tokens (testdata/fuzz/FuzzTokensParse).
var fuzzKey = []byte("coachjournal-fuzz-signing-key-32b")

// FuzzTokensParse feeds any string to Tokens.Parse: it never panics, and
// it accepts only a token whose header says HS256 and whose signature is
// the HMAC-SHA-256 of its first two parts under the key, carrying a valid
// role and sub (a person id for members).
func FuzzTokensParse(f *testing.F) {
	tokens, err := NewTokens(fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	other, _ := NewTokens([]byte(strings.Repeat("o", 32)))
	for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleHR, domain.RoleAnalyst, domain.RoleMember} {
		good, _ := tokens.Mint(uuid.NewString(), role, time.Hour)
		forged, _ := other.Mint(uuid.NewString(), role, time.Hour)
		f.Add(good)
		f.Add(forged)
	}
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJvcHMiLCJyb2xlIjoiYWRtaW4ifQ.")
	f.Fuzz(func(t *testing.T, token string) {
		p, err := tokens.Parse(token)
		if err != nil {
			return
		}
		if !signedWith(token, fuzzKey) {
			t.Fatalf("accepted %q, which is not HS256-signed with the key", token)
		}
		if _, ok := domain.ParseRole(string(p.Role)); !ok || p.Sub == "" {
			t.Fatalf("accepted %q with role %q sub %q", token, p.Role, p.Sub)
		}
		if p.Role == domain.RoleMember && p.Person == uuid.Nil {
			t.Fatalf("accepted member token %q whose sub is not a person id", token)
		}
	})
}

// signedWith checks a compact JWS by hand: alg HS256 in the header and the
// signature over header.payload under key.
func signedWith(token string, key []byte) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	var h struct {
		Alg string `json:"alg"`
	}
	if err != nil || json.Unmarshal(raw, &h) != nil || h.Alg != "HS256" {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(parts[0] + "." + parts[1]))
	return hmac.Equal(sig, m.Sum(nil))
}

// TestTokenCorpus pins the committed seeds: exactly the valid-* tokens are
// accepted, every forged, confused, expired or malformed one is refused.
func TestTokenCorpus(t *testing.T) {
	tokens, _ := NewTokens(fuzzKey)
	dir := filepath.Join("testdata", "fuzz", "FuzzTokensParse")
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("corpus %s: %v", dir, err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		_, lit, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		token, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lit, "string("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		_, err = tokens.Parse(token)
		if want := strings.HasPrefix(e.Name(), "valid-"); (err == nil) != want {
			t.Errorf("%s: accepted = %v, want %v (err %v)", e.Name(), err == nil, want, err)
		}
	}
}
