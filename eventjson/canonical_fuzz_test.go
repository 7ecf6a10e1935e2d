package eventjson

import (
	"bytes"
	"testing"
)

// trickyDocs are documents at the edges of the fast path: escapes, HTML
// characters, line separators, invalid UTF-8, repeated keys, odd numbers,
// nesting, white space, trailing bytes, and heads VerifyHash must read as
// encoding/json does.
var trickyDocs = []string{
	`{"b":1,"a":2}`, `{}`, `[]`, `[{}]`, `null`, `true`, `"s"`, `1e5`, `-0`, ` 1.50 `, `0`,
	`{"n":[1e5,-0,1.50,-1.5E-7,0.0,1E+2,123456789012345678901234567890]}`,
	`{"a":"x\"y"}`, `{"a":"x\\y"}`, `{"a":"\u0041"}`, `{"a":"\/"}`, `{"a":"\n\t\r\b\f"}`,
	`{"a":"<b>&amp;</b>"}`, `{"a":"\u003c"}`, `{"a":"\u2028 \u2029"}`, "{\"a\":\"\u2028\"}", "{\"a\":\"x\u2029y\"}",
	"{\"a\":\"a long line\u2028\"}", "{\"a\":\"\u2029 a long line\"}", "{\"a\":\"a long line \xe2\x80\xa7\"}",
	`{"a":"a long line <"}`, `{"a":"a long line &amp; more"}`, `{"a":"a long line \n"}`, "{\"a\":\"a long line \xc3\"}",
	"{\"a\":\"\xe2\x80\"}", "{\"a\":\"\xe2\x80\xa7\"}", "{\"a\":\"\xe2\x82\xac\"}", "{\"a\":\"\xff\"}", "{\"a\":\"\xed\xa0\x80\"}",
	`{"a":"\ud800"}`, `{"a":"\ud83d\ude00"}`, "{\"a\":\"😀 ção\"}", "{\"a\":\"\x7f\"}", "{\"a\":\"\x1f\"}",
	`{"é":1,"e":2,"z":3,"É":4}`, `{"a\u0062":1,"ab":2}`, `{"ab":1,"a\u0062":2}`,
	`{"a":1,"a":2}`, `{"a":1,"b":2,"a":3}`, `{"a":{"x":1},"a":{"y":2}}`, `{"hash":"x","hash":"y"}`,
	`{"a":[[[]]],"b":[{"d":{},"c":[]}]}`, `[1,[2,[3,{"b":[],"a":{}}]]]`,
	" \t\r\n{ \"b\" : [ 1 , 2 ] ,\n\"a\" : { } }\r\n", "{\"a\":1}\f", "\xef\xbb\xbf{}",
	`{"a":1}{}`, `{"a":1} x`, `1 2`, `{"a":1,}`, `[1,]`, `{"a"}`, `{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":.5}`,
	`{"a":+1}`, `{"a":1e}`, `{"a":tru}`, `{"a":nul}`, `{"a":truex}`, `{"a":NaN}`, `{'a':1}`, `{a:1}`, ``, ` `, `{`, `"`,
	`{"hash":"h","prev_hash":"p","a":1}`, `{"prev_hash":"p"}`, `{"hash":null}`, `{"hash":1}`, `{"hash":{}}`,
	`{"hash":"h","HASH":"x"}`, `{"Hash":"x"}`, `{"prev_Hash":"x"}`, "{\"ha\u017fh\":\"x\"}", "{\"prev_ha\u017fh\":\"x\"}",
	`{"prev_hash":null,"hash":"x"}`, `{"hash":1,"hash":"x"}`, `{"hash":"x","hash":1}`, `{"hash":null,"hash":"x"}`, `{"prev_hash":"p","prev_hash":"q"}`, `{"hash":"h\u0061"}`, `{"h\u0061sh":"x"}`,
	`{"prev_hash":"` + string(bytes.Repeat([]byte("ab"), 40)) + `","hash":""}`,
	`{"data":{"hash":1},"hash":2}`, `{"hash":"` + string(bytes.Repeat([]byte("0"), 64)) + `"}`,
}

// FuzzCanonical checks the fast canonical path against the encoding/json
// round trip it stands for: for any bytes, Canonical, VerifyHash and, for
// what Decode reads, Seal answer exactly as before. Seeds: the v1
// fixture, the benchmark envelopes, trickyDocs, testdata/fuzz/FuzzCanonical.
func FuzzCanonical(f *testing.F) {
	for _, line := range fixtureLines(f) {
		f.Add(line)
	}
	for _, env := range benchEnvelopes {
		f.Add(env)
	}
	for _, doc := range trickyDocs {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkSameCanonical(t, doc)
		if e, err := Decode(doc); err == nil {
			checkSameSeal(t, e)
		}
	})
}
