package main

import (
	"errors"
	"flag"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/api"
)

// securityFlags are serve's flags for limits, client IP, CORS, TLS and the
// identity provider's tokens.
type securityFlags struct {
	rateLimit      float64
	rateBurst      int
	trustedProxies string
	corsOrigins    string
	requestTimeout time.Duration
	streams        int
	callerStreams  int
	exports        int
	callerExports  int
	jwksFile       string
	tokenIssuer    string
	tokenAudience  string
	tlsCert        string
	tlsKey         string
}

func (f *securityFlags) register(fs *flag.FlagSet) {
	fs.Float64Var(&f.rateLimit, "rate-limit", 50, "requests per second allowed to each caller (token subject, or client IP when anonymous); 0 disables")
	fs.IntVar(&f.rateBurst, "rate-burst", 100, "requests a caller may send at once above the rate")
	fs.StringVar(&f.trustedProxies, "trusted-proxies", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed; empty: the peer address is the client")
	fs.StringVar(&f.corsOrigins, "cors-origins", "", "comma-separated origins (scheme://host[:port]) allowed to call the API from a browser; empty: CORS off")
	fs.DurationVar(&f.requestTimeout, "request-timeout", 30*time.Second, "deadline of every request but the live event tail and the export")
	fs.IntVar(&f.callerStreams, "max-streams-per-caller", api.DefaultStreamsPerCaller, "live event tails (SSE) one caller (token subject) may hold open; past it 429 with Retry-After; negative: no cap")
	fs.IntVar(&f.streams, "max-streams", api.DefaultStreams, "live event tails (SSE) open at once on this server, every caller together; past it 429 with Retry-After; negative: no cap")
	fs.IntVar(&f.callerExports, "max-exports-per-caller", api.DefaultExportsPerCaller, "exports (GET /v1/export) one caller may run at once; past it 429 with Retry-After; negative: no cap")
	fs.IntVar(&f.exports, "max-exports", api.DefaultExports, "exports running at once on this server, every caller together; past it 429 with Retry-After; negative: no cap")
	fs.StringVar(&f.jwksFile, "jwks-file", "", "JWKS file of an identity provider's public keys: also accept its RS256/EdDSA tokens")
	fs.StringVar(&f.tokenIssuer, "token-issuer", "", "required iss of the identity provider's tokens")
	fs.StringVar(&f.tokenAudience, "token-audience", "", "required aud of the identity provider's tokens")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this certificate file (with --tls-key); HSTS is sent only then")
	fs.StringVar(&f.tlsKey, "tls-key", "", "private key file of --tls-cert")
}

// security returns the API's hardening settings. Errors: a malformed CIDR
// or origin, or a TLS cert without its key.
func (f *securityFlags) security() (api.Security, error) {
	proxies, err := api.ParseCIDRs(f.trustedProxies)
	if err != nil {
		return api.Security{}, err
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return api.Security{}, errors.New("--tls-cert and --tls-key go together")
	}
	var origins []string
	for _, o := range strings.Split(f.corsOrigins, ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if o == "*" || !strings.Contains(o, "://") {
			return api.Security{}, errors.New("--cors-origins takes exact origins such as https://app.example.com, not " + o)
		}
		origins = append(origins, o)
	}
	return api.Security{RateLimit: f.rateLimit, RateBurst: f.rateBurst, TrustedProxies: proxies,
		CORSOrigins: origins, RequestTimeout: f.requestTimeout, StreamsPerCaller: f.callerStreams, Streams: f.streams,
		ExportsPerCaller: f.callerExports, Exports: f.exports}, nil
}

// scheme is the served URL's scheme.
func (f *securityFlags) scheme() string {
	if f.tlsCert != "" {
		return "https"
	}
	return "http"
}

func (f *securityFlags) tokenOptions() api.TokenOptions {
	return api.TokenOptions{JWKSFile: f.jwksFile, Issuer: f.tokenIssuer, Audience: f.tokenAudience}
}

// serveOn serves srv on ln, with TLS when configured.
func (f *securityFlags) serveOn(srv *http.Server, ln net.Listener) error {
	if f.tlsCert != "" {
		return srv.ServeTLS(ln, f.tlsCert, f.tlsKey)
	}
	return srv.Serve(ln)
}
