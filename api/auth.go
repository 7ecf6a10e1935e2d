package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// maxTokenLen caps the Authorization header; longer tokens are 401 unread.
const maxTokenLen = 4096

// leeway is the clock skew allowed on exp, nbf and iat.
const leeway = 5 * time.Second

// Principal is the authenticated caller.
type Principal struct {
	Sub    string
	Person uuid.UUID // uuid.Nil when sub is a service name
	Role   domain.Role
}

// Actor returns the principal as an event's actor.
func (p Principal) Actor() domain.Actor { return domain.Actor{ID: p.Sub, Role: p.Role} }

type claims struct {
	Role string `json:"role"`
	jwt.RegisteredClaims
}

// Tokens signs HS256 bearer tokens with one key and verifies them, and an
// identity provider's when configured (jwks.go).
type Tokens struct {
	key      []byte
	idp      *idp           // an identity provider's RS256/EdDSA keys (jwks.go); nil: HS256 only
	verified verifiedTokens // token_cache.go
}

// NewTokens returns a signer/verifier for key (at least 32 bytes).
func NewTokens(key []byte) (*Tokens, error) {
	if len(key) < 32 {
		return nil, errors.New("signing key must be at least 32 bytes")
	}
	return &Tokens{key: key, verified: newVerifiedTokens(maxVerifiedTokens)}, nil
}

// LoadOrCreateKey reads a hex key file, creating it (32 random bytes, mode
// 0600) when it does not exist yet.
func LoadOrCreateKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return LoadOrCreateKey(path) // another process won the race
		}
		if err != nil {
			return nil, fmt.Errorf("create key file: %w", err)
		}
		defer f.Close()
		if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
			return nil, fmt.Errorf("write key file: %w", err)
		}
		return key, f.Sync()
	}
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("key file %s is not hex", path)
	}
	return key, nil
}

// Mint returns a token for sub with role, valid for ttl.
func (t *Tokens) Mint(sub string, role domain.Role, ttl time.Duration) (string, error) {
	now := time.Now()
	c := claims{Role: string(role), RegisteredClaims: jwt.RegisteredClaims{
		Subject: sub, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.key)
}

// Parse verifies a token: HS256 with the local key, or RS256/EdDSA with an
// identity provider's keys (jwks.go); exp required, small leeway. A token
// verified once is remembered until it expires (token_cache.go).
func (t *Tokens) Parse(token string) (Principal, error) {
	now := time.Now()
	if p, ok := t.verified.get(token, now); ok {
		return p, nil
	}
	c, err := t.verify(token) // jwks.go: which key for which alg
	if err != nil {
		return Principal{}, err
	}
	role, ok := domain.ParseRole(c.Role)
	if !ok || c.Subject == "" {
		return Principal{}, errors.New("token lacks a valid sub or role")
	}
	p := Principal{Sub: c.Subject, Role: role}
	if id, err := uuid.Parse(c.Subject); err == nil {
		p.Person = id
	}
	if role == domain.RoleMember && p.Person == uuid.Nil {
		return Principal{}, errors.New("a member token's sub must be a person id")
	}
	if c.ExpiresAt != nil { // always, for a verified token
		t.verified.put(token, p, c.ExpiresAt.Add(leeway), now)
	}
	return p, nil
}

const principalKey = "principal"

// authenticate requires a valid bearer token and stores its principal.
func (t *Tokens) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return httperr.New(httperr.KindUnauthorized, "a bearer token is required")
		}
		if len(token) > maxTokenLen {
			return httperr.New(httperr.KindUnauthorized, "the token is too large")
		}
		p, err := t.Parse(token)
		if err != nil {
			return httperr.New(httperr.KindUnauthorized, "the token is not valid")
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

func principal(c echo.Context) Principal {
	p, _ := c.Get(principalKey).(Principal)
	return p
}
