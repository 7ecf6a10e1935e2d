package api

import (
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// Tokens verify two kinds of bearer token, never one with the other's key:
//   - HS256, with the local signing key only (minted by `coachjournal token`
//     and serve --demo);
//   - RS256 and EdDSA, from a company's identity provider, with the public
//     keys of a JWKS file only, chosen by the token's kid; the key's type
//     must match the token's alg (an RSA key for RS256, Ed25519 for EdDSA).
//
// So HS/RS confusion (an HS256 token "signed" with a published RSA key) is
// impossible: an HS256 token is only ever checked against the local key,
// and a JWKS key is never used as an HMAC secret. The identity provider's
// tokens must carry sub and role like ours; when an issuer or audience is
// configured they must carry that iss and aud. Local tokens are ours and
// carry neither. Every token needs exp; the clock leeway is 5 s.

// TokenOptions configures the identity provider's tokens.
type TokenOptions struct {
	JWKSFile string // JSON Web Key Set of RS256 and Ed25519 public keys, each with a kid
	Issuer   string // required iss of the provider's tokens, when set
	Audience string // required aud of the provider's tokens, when set
}

// minRSABits is the smallest RSA key accepted from a JWKS file.
const minRSABits = 2048

// UseIdentityProvider makes t also accept the provider's tokens. It fails
// on an unreadable file, or a key that is private, symmetric, of another
// type, without kid, or smaller than 2048 bits (RSA).
func (t *Tokens) UseIdentityProvider(o TokenOptions) error {
	if o.JWKSFile == "" {
		if o.Issuer != "" || o.Audience != "" {
			return errors.New("a token issuer or audience needs a JWKS file")
		}
		return nil
	}
	b, err := os.ReadFile(o.JWKSFile)
	if err != nil {
		return fmt.Errorf("read JWKS file: %w", err)
	}
	keys, err := parseJWKS(b)
	if err != nil {
		return fmt.Errorf("JWKS file %s: %w", o.JWKSFile, err)
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{"RS256", "EdDSA"}), jwt.WithExpirationRequired(), jwt.WithLeeway(leeway)}
	if o.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(o.Issuer))
	}
	if o.Audience != "" {
		opts = append(opts, jwt.WithAudience(o.Audience))
	}
	t.idp = &idp{keys: keys, parser: jwt.NewParser(opts...)}
	t.verified.clear() // tokens are checked by the new rules from now on
	return nil
}

// idp is an identity provider's verification: its keys by kid.
type idp struct {
	keys   map[string]any // *rsa.PublicKey or ed25519.PublicKey
	parser *jwt.Parser
}

func parseJWKS(b []byte) (map[string]any, error) {
	var set jwkset.JWKSMarshal
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, err
	}
	keys := map[string]any{}
	for _, m := range set.Keys {
		switch {
		case m.KID == "":
			return nil, errors.New("every key needs a kid")
		case m.D != "" || m.K != "":
			return nil, fmt.Errorf("key %q is private or symmetric: the file must hold public keys only", m.KID)
		case m.USE != "" && m.USE != jwkset.UseSig:
			return nil, fmt.Errorf("key %q is not for signatures", m.KID)
		case m.KTY == jwkset.KtyRSA && m.ALG != "" && m.ALG != jwkset.AlgRS256,
			m.KTY == jwkset.KtyOKP && m.ALG != "" && m.ALG != jwkset.AlgEdDSA:
			return nil, fmt.Errorf("key %q is for %s, not RS256 or EdDSA", m.KID, m.ALG)
		}
		jwk, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", m.KID, err)
		}
		switch k := jwk.Key().(type) {
		case *rsa.PublicKey:
			if k.N.BitLen() < minRSABits {
				return nil, fmt.Errorf("key %q: RSA keys need at least %d bits", m.KID, minRSABits)
			}
		case ed25519.PublicKey:
		default:
			return nil, fmt.Errorf("key %q: only RSA and Ed25519 keys are accepted", m.KID)
		}
		keys[m.KID] = jwk.Key()
	}
	return keys, nil
}

// keyFor returns the key a provider's token is checked with: the one named
// by its kid, of the type its alg needs.
func (p *idp) keyFor(tok *jwt.Token) (any, error) {
	kid, _ := tok.Header["kid"].(string)
	key, ok := p.keys[kid]
	if !ok {
		return nil, errors.New("no key with this kid")
	}
	switch tok.Method.Alg() {
	case "RS256":
		if _, ok := key.(*rsa.PublicKey); ok {
			return key, nil
		}
	case "EdDSA":
		if _, ok := key.(ed25519.PublicKey); ok {
			return key, nil
		}
	}
	return nil, errors.New("the key's type does not match the token's alg")
}

// verify checks a token's signature and times and returns its claims:
// HS256 with the local key, RS256/EdDSA with the provider's keys.
func (t *Tokens) verify(token string) (claims, error) {
	var c claims
	unverified, _, err := jwt.NewParser().ParseUnverified(token, &claims{})
	if err != nil {
		return c, err
	}
	if alg := unverified.Method.Alg(); alg != "HS256" {
		if t.idp == nil || (alg != "RS256" && alg != "EdDSA") {
			return c, errors.New("unexpected signing method")
		}
		_, err = t.idp.parser.ParseWithClaims(token, &c, t.idp.keyFor)
		return c, err
	}
	_, err = jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithLeeway(leeway))
	return c, err
}
