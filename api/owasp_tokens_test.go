package api_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/golang-jwt/jwt/v5"
)

// idpKeys is an identity provider: an RSA and an Ed25519 signing key, and
// the JWKS file of their public halves.
type idpKeys struct {
	rsa  *rsa.PrivateKey
	ed   ed25519.PrivateKey
	file string
}

func newIdP(t *testing.T) idpKeys {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, ek, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set := jwkset.NewMemoryStorage()
	for kid, pub := range map[string]any{"rsa-1": &rk.PublicKey, "ed-1": ek.Public()} {
		jwk, err := jwkset.NewJWKFromKey(pub, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: kid, USE: jwkset.UseSig}})
		if err != nil {
			t.Fatal(err)
		}
		if err := set.KeyWrite(context.Background(), jwk); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := set.JSONPublic(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	k := idpKeys{rsa: rk, ed: ek, file: filepath.Join(t.TempDir(), "jwks.json")}
	if err := os.WriteFile(k.file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return k
}

// idpClaims are an identity provider's claims for an admin.
func idpClaims(iss, aud string, exp time.Duration) jwt.MapClaims {
	return jwt.MapClaims{"sub": "ops@example.com", "role": "admin", "iss": iss, "aud": aud,
		"iat": time.Now().Unix(), "exp": time.Now().Add(exp).Unix()}
}

func sign(t *testing.T, m jwt.SigningMethod, kid string, c jwt.Claims, key any) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTokenAttacks (API2): every token that is missing, expired, forged,
// unsigned, confused between HS256 and RS256, for another audience or
// issuer, or oversized is 401; the local HS256 tokens and the identity
// provider's RS256 and EdDSA tokens pass.
func TestTokenAttacks(t *testing.T) {
	idp := newIdP(t)
	const iss, aud = "https://idp.example.com", "coachjournal"
	env := apitest.StartWith(t, apitest.Options{IdentityProvider: api.TokenOptions{JWKSFile: idp.file, Issuer: iss, Audience: aud}})
	key, err := api.LoadOrCreateKey(filepath.Join(env.DataDir, "signing.key"))
	if err != nil {
		t.Fatal(err)
	}
	local := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodHS256, "", c, key) }
	localClaims := func(exp time.Duration) jwt.MapClaims {
		return jwt.MapClaims{"sub": "ops", "role": "admin", "iat": time.Now().Unix(), "exp": time.Now().Add(exp).Unix()}
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&idp.rsa.PublicKey))})
	pubDER := must(x509.MarshalPKIXPublicKey(&idp.rsa.PublicKey))
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	none := sign(t, jwt.SigningMethodNone, "", localClaims(time.Hour), jwt.UnsafeAllowNoneSignatureType)

	cases := []struct {
		name   string
		header string
		want   int
	}{
		{"local HS256", "Bearer " + env.Token("ops", domain.RoleAdmin), http.StatusOK},
		{"provider RS256", "Bearer " + sign(t, jwt.SigningMethodRS256, "rsa-1", idpClaims(iss, aud, time.Hour), idp.rsa), http.StatusOK},
		{"provider EdDSA", "Bearer " + sign(t, jwt.SigningMethodEdDSA, "ed-1", idpClaims(iss, aud, time.Hour), idp.ed), http.StatusOK},

		{"missing", "", http.StatusUnauthorized},
		{"not bearer", "Basic b3BzOnNlY3JldA==", http.StatusUnauthorized},
		{"garbage", "Bearer not.a.token", http.StatusUnauthorized},
		{"expired", "Bearer " + local(localClaims(-time.Minute)), http.StatusUnauthorized},
		{"no exp", "Bearer " + local(jwt.MapClaims{"sub": "ops", "role": "admin"}), http.StatusUnauthorized},
		{"wrong signature", "Bearer " + sign(t, jwt.SigningMethodHS256, "", localClaims(time.Hour), []byte("another key that is 32 bytes long")), http.StatusUnauthorized},
		{"alg none", "Bearer " + none, http.StatusUnauthorized},
		{"alg none, signature stripped", "Bearer " + strings.TrimSuffix(none, ".") + ".", http.StatusUnauthorized},
		{"HS256 signed with the RSA public key (PEM)", "Bearer " + sign(t, jwt.SigningMethodHS256, "rsa-1", idpClaims(iss, aud, time.Hour), pubPEM), http.StatusUnauthorized},
		{"HS256 signed with the RSA public key (DER)", "Bearer " + sign(t, jwt.SigningMethodHS256, "rsa-1", idpClaims(iss, aud, time.Hour), pubDER), http.StatusUnauthorized},
		{"HS256 signed with the RSA modulus", "Bearer " + sign(t, jwt.SigningMethodHS256, "rsa-1", idpClaims(iss, aud, time.Hour), idp.rsa.N.Bytes()), http.StatusUnauthorized},
		{"RS256 with the Ed25519 key's kid", "Bearer " + sign(t, jwt.SigningMethodRS256, "ed-1", idpClaims(iss, aud, time.Hour), idp.rsa), http.StatusUnauthorized},
		{"RS256 without kid", "Bearer " + sign(t, jwt.SigningMethodRS256, "", idpClaims(iss, aud, time.Hour), idp.rsa), http.StatusUnauthorized},
		{"RS256 by another key", "Bearer " + sign(t, jwt.SigningMethodRS256, "rsa-1", idpClaims(iss, aud, time.Hour), other), http.StatusUnauthorized},
		{"RS384 (not accepted)", "Bearer " + sign(t, jwt.SigningMethodRS384, "rsa-1", idpClaims(iss, aud, time.Hour), idp.rsa), http.StatusUnauthorized},
		{"provider token, wrong aud", "Bearer " + sign(t, jwt.SigningMethodRS256, "rsa-1", idpClaims(iss, "another-app", time.Hour), idp.rsa), http.StatusUnauthorized},
		{"provider token, wrong iss", "Bearer " + sign(t, jwt.SigningMethodRS256, "rsa-1", idpClaims("https://evil.example.com", aud, time.Hour), idp.rsa), http.StatusUnauthorized},
		{"provider token, expired", "Bearer " + sign(t, jwt.SigningMethodEdDSA, "ed-1", idpClaims(iss, aud, -time.Minute), idp.ed), http.StatusUnauthorized},
		{"provider token, unknown role", "Bearer " + sign(t, jwt.SigningMethodRS256, "rsa-1", jwt.MapClaims{"sub": "x", "role": "root", "iss": iss, "aud": aud, "exp": time.Now().Add(time.Hour).Unix()}, idp.rsa), http.StatusUnauthorized},
		{"member with a service sub", "Bearer " + local(jwt.MapClaims{"sub": "ops", "role": "member", "exp": time.Now().Add(time.Hour).Unix()}), http.StatusUnauthorized},
		{"oversized", "Bearer " + local(jwt.MapClaims{"sub": "ops", "role": "admin", "exp": time.Now().Add(time.Hour).Unix(), "pad": strings.Repeat("x", 5000)}), http.StatusUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var h []string
			if c.header != "" {
				h = []string{"Authorization", c.header}
			}
			r := env.Do(http.MethodGet, "/v1/pips", "", nil, h...)
			if r.Status != c.want {
				t.Fatalf("status %d, want %d: %s", r.Status, c.want, r.Body)
			}
			if c.want == http.StatusUnauthorized {
				var p struct{ Code string }
				if json.Unmarshal(r.Body, &p); p.Code != "unauthorized" || r.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("code %q, WWW-Authenticate %q", p.Code, r.Header.Get("WWW-Authenticate"))
				}
			}
		})
	}
}

// TestJWKSFileRefusals: a JWKS file with a key that could be confused with
// a shared secret, or a private or weak key, is refused at start-up.
func TestJWKSFileRefusals(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 1024)
	dir := t.TempDir()
	files := map[string]string{
		"symmetric": `{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]}`,
		"no kid":    `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`,
		"HS alg":    `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"e","alg":"HS256","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`,
		"not json":  `keys`,
	}
	jwk, _ := jwkset.NewJWKFromKey(&rk.PublicKey, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: "weak"}})
	weak, _ := json.Marshal(map[string]any{"keys": []any{jwk.Marshal()}})
	files["RSA 1024"] = string(weak)
	priv, _ := jwkset.NewJWKFromKey(rk, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: "p"}, Marshal: jwkset.JWKMarshalOptions{Private: true}})
	private, _ := json.Marshal(map[string]any{"keys": []any{priv.Marshal()}})
	files["private"] = string(private)
	for name, body := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			tokens, _ := api.NewTokens(make([]byte, 32))
			if err := tokens.UseIdentityProvider(api.TokenOptions{JWKSFile: path}); err == nil {
				t.Errorf("accepted")
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
