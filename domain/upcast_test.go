package domain

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// greeted is a synthetic event type whose data went through three schemas:
// v0 {"who"} (before schemas were numbered), v1 {"name"}, v2 {"name", "loud"}.
type greeted struct {
	Name string `json:"name"`
	Loud bool   `json:"loud"`
}

func (*greeted) EventType() string       { return "test.greeted" }
func (d *greeted) TextFields() []*string { return texts(&d.Name) }

// renameField returns an upcaster that moves key from to key to.
func renameField(from, to string) Upcaster {
	return func(old json.RawMessage) (json.RawMessage, error) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(old, &m); err != nil {
			return nil, err
		}
		m[to] = m[from]
		delete(m, from)
		return json.Marshal(m)
	}
}

// decodeWith upcasts with reg and ups, then decodes as eventjson does.
func decodeWith(reg map[string]registration, ups map[upcastKey]Upcaster, eventType string, schema int, raw json.RawMessage) (Data, error) {
	d, raw, err := upcastWith(reg, ups, eventType, schema, raw)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, d); err != nil {
		return nil, fmt.Errorf("%s data: %w", eventType, err)
	}
	return d, nil
}

func TestDecodeWithUpcasters(t *testing.T) {
	reg := map[string]registration{"test.greeted": {2, func() Data { return &greeted{} }}}
	ups := map[upcastKey]Upcaster{
		{"test.greeted", 0}: renameField("who", "name"),
		{"test.greeted", 1}: func(old json.RawMessage) (json.RawMessage, error) {
			var m map[string]any
			if err := json.Unmarshal(old, &m); err != nil {
				return nil, err
			}
			m["loud"] = strings.HasSuffix(fmt.Sprint(m["name"]), "!")
			return json.Marshal(m)
		},
	}
	tests := []struct {
		name, typ, data string
		schema          int
		want            greeted
		wantErr         string
	}{
		{"v0 through both upcasters", "test.greeted", `{"who":"Ana!"}`, 0, greeted{"Ana!", true}, ""},
		{"v1 through one", "test.greeted", `{"name":"Ben"}`, 1, greeted{"Ben", false}, ""},
		{"current as is", "test.greeted", `{"name":"Cy","loud":true}`, 2, greeted{"Cy", true}, ""},
		{"from the future", "test.greeted", `{}`, 3, greeted{}, "unsupported schema 3"},
		{"negative", "test.greeted", `{}`, -1, greeted{}, "unsupported schema -1"},
		{"unknown type", "test.unknown", `{}`, 1, greeted{}, "unknown event type"},
		{"upcaster fails on bad JSON", "test.greeted", `[1]`, 0, greeted{}, "upcast schema 0 to 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := decodeWith(reg, ups, tt.typ, tt.schema, json.RawMessage(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if got := *d.(*greeted); got != tt.want {
				t.Fatalf("data = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestMissingUpcasterIsAnError(t *testing.T) {
	reg := map[string]registration{"test.greeted": {2, func() Data { return &greeted{} }}}
	ups := map[upcastKey]Upcaster{{"test.greeted", 1}: renameField("x", "y")}
	if _, err := decodeWith(reg, ups, "test.greeted", 0, json.RawMessage(`{}`)); err == nil || !strings.Contains(err.Error(), "no upcaster to 1") {
		t.Fatalf("err = %v, want a missing upcaster from 0", err)
	}
}

// TestCatalogUpcastersAreComplete checks that every schema below a type's
// current one has an upcaster, so no stored history is left unreadable.
func TestCatalogUpcastersAreComplete(t *testing.T) {
	for typ, r := range registry {
		for s := 1; s < r.schema; s++ {
			if upcasters[upcastKey{typ, s}] == nil {
				t.Errorf("%s: no upcaster from schema %d to %d", typ, s, s+1)
			}
		}
	}
	for k := range upcasters {
		if r, ok := registry[k.Type]; !ok || k.From >= r.schema {
			t.Errorf("upcaster %s from %d reads no older schema of a known type", k.Type, k.From)
		}
	}
}
