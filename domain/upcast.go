package domain

import (
	"encoding/json"
	"fmt"
)

// Upcaster turns the data JSON of one event type at one schema into the data
// JSON of the next schema. Upcasters never change stored bytes: events are
// upcast on every read, and the hash chain still covers what was stored.
type Upcaster func(old json.RawMessage) (json.RawMessage, error)

// upcastKey names the schema an upcaster reads: it produces From+1.
type upcastKey struct {
	Type string
	From int
}

// upcasters holds every upcaster of the catalog. Catalog version 1 has none:
// every type is at schema 1. When a type's data changes, bump its schema in
// the registry, add {type, old schema} here, and add a fixture of the old
// version under testdata so the old history keeps loading.
var upcasters = map[upcastKey]Upcaster{}

// upcastWith upcasts raw from schema to the type's current schema, one step
// at a time, and returns it with an empty value of the type's data. Schema 0
// stands for data written before schemas were numbered; it loads only
// through an upcaster.
func upcastWith(reg map[string]registration, ups map[upcastKey]Upcaster, eventType string, schema int, raw json.RawMessage) (Data, json.RawMessage, error) {
	r, ok := reg[eventType]
	if !ok {
		return nil, nil, fmt.Errorf("unknown event type %q", eventType)
	}
	if schema < 0 || schema > r.schema {
		return nil, nil, fmt.Errorf("%s: unsupported schema %d", eventType, schema)
	}
	for s := schema; s < r.schema; s++ {
		up, ok := ups[upcastKey{eventType, s}]
		if !ok {
			return nil, nil, fmt.Errorf("%s: unsupported schema %d (no upcaster to %d)", eventType, s, s+1)
		}
		var err error
		if raw, err = up(raw); err != nil {
			return nil, nil, fmt.Errorf("%s: upcast schema %d to %d: %w", eventType, s, s+1, err)
		}
	}
	return r.new(), raw, nil
}
