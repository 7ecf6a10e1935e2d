package api_test

import (
	"net/http"
	"strconv"
	"testing"
)

// TestMinSequence: a read with X-Min-Sequence waits for the projections;
// one beyond the stream answers 503 with Retry-After after the bound.
func TestMinSequence(t *testing.T) {
	o := newOrg(t)
	r := o.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.anaT, map[string]any{"text": "a", "due_on": day(1)})
	seq := r.Header.Get("X-Journal-Sequence")
	if seq == "" || r.Header.Get("ETag") == "" {
		t.Fatalf("write headers = %v, want X-Journal-Sequence and ETag", r.Header)
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ana+"/commitments", o.anaT, nil, "X-Min-Sequence", seq)
	n, _ := strconv.ParseUint(seq, 10, 64)
	far := o.Must(http.StatusServiceUnavailable, http.MethodGet, "/v1/people/"+o.ana, o.anaT, nil, "X-Min-Sequence", strconv.FormatUint(n+1000, 10))
	if far.Header.Get("Retry-After") == "" || far.Map(t)["code"] != "unavailable" {
		t.Fatalf("far X-Min-Sequence: %v %s", far.Header, far.Body)
	}
	o.Must(http.StatusUnprocessableEntity, http.MethodGet, "/v1/people/"+o.ana, o.anaT, nil, "X-Min-Sequence", "soon")
}
