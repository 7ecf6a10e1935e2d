package api_test

import (
	"net/http"
	"testing"
)

// BenchmarkReads compares a PIP read (which waits for its audit record's
// acknowledgement, fsynced on the embedded server) with a person read of
// the same size class that records nothing: the difference is the read
// audit's cost per read.
//
//	go test ./api -run '^$' -bench Reads -benchtime 300x
func BenchmarkReads(b *testing.B) {
	o := newOrg(b)
	pip := o.Created(http.MethodPost, "/v1/people/"+o.ben+"/pips", o.hr, map[string]any{
		"reason": "three months under 60%", "starts_on": day(-7), "ends_on": day(40),
		"goals": []map[string]any{{"text": "10 new opportunities a month"}}})
	b.Run("person", func(b *testing.B) {
		for b.Loop() {
			o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ben, o.hr, nil)
		}
	})
	b.Run("pip-audited", func(b *testing.B) {
		for b.Loop() {
			o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ben+"/pips/"+pip, o.hr, nil)
		}
	})
}
