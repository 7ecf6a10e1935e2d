package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsAndReadiness scrapes /metrics after some traffic and parses it.
func TestMetricsAndReadiness(t *testing.T) {
	o := newOrg(t)
	body := map[string]any{"text": "a", "due_on": day(1)}
	o.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.anaT, body, "Idempotency-Key", "m-1")
	o.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.anaT, body, "Idempotency-Key", "m-1")
	o.Must(http.StatusOK, http.MethodGet, "/healthz", "", nil)
	if r := o.Must(http.StatusOK, http.MethodGet, "/readyz", "", nil); !strings.Contains(string(r.Body), "ready") {
		t.Fatalf("readyz = %s", r.Body)
	}
	r := o.Must(http.StatusOK, http.MethodGet, "/metrics", "", nil)
	if r.Header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id on the response")
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(r.Body)))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	for _, name := range []string{"coachjournal_http_request_duration_seconds", "coachjournal_writes_total",
		"coachjournal_projection_lag_sequences", "coachjournal_projection_sequence"} {
		if families[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	outcomes := map[string]float64{}
	for _, m := range families["coachjournal_writes_total"].GetMetric() {
		outcomes[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
	}
	if outcomes["replayed"] != 1 || outcomes["appended"] < 7 {
		t.Errorf("write outcomes = %v, want one replay and the org's appends", outcomes)
	}
	if lag := families["coachjournal_projection_lag_sequences"].GetMetric()[0].GetGauge().GetValue(); lag != 0 {
		t.Errorf("lag = %v, want 0", lag)
	}
}
