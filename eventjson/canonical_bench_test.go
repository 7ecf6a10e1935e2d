package eventjson

import "testing"

// BenchmarkVerifyHash measures checking one stored envelope, as verify and
// the chain checks do for every event (benchstat-ready with -count 10).
func BenchmarkVerifyHash(b *testing.B) {
	for _, typ := range []string{"commitment.made", "metrics.submitted"} {
		env := benchEnvelopes[typ]
		b.Run(typ, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(env)))
			for b.Loop() {
				if _, _, _, err := VerifyHash(env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
