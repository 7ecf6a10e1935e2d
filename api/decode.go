package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/labstack/echo/v4"
)

// MaxBody is the body limit of every endpoint but bulk import.
const MaxBody = 64 << 10

// readBody reads at most limit bytes of the request body: 413 beyond it,
// before anything larger is read whole.
func readBody(c echo.Context, limit int64) ([]byte, error) {
	r := c.Request()
	if r.ContentLength > limit {
		return nil, httperr.New(httperr.KindTooLarge, fmt.Sprintf("the body is larger than %d bytes", limit))
	}
	b, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, httperr.New(httperr.KindTooLarge, fmt.Sprintf("the body is larger than %d bytes", limit))
	}
	if err != nil {
		return nil, httperr.New(httperr.KindMalformed, "the body could not be read")
	}
	return b, nil
}

// decodeStrict decodes one JSON object into v: an empty or null body,
// unknown fields (keys match exactly), repeated keys and trailing data are
// 400; a value of the wrong type, invalid UTF-8 or a lone surrogate is 422
// naming its field (checkBody).
func decodeStrict(body []byte, v any) error {
	_, err := decodeKeys(body, v)
	return err
}

// decodeKeys is decodeStrict that also returns the body's top-level keys.
func decodeKeys(body []byte, v any) (map[string]bool, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, httperr.New(httperr.KindMalformed, "the body is empty; this endpoint takes a JSON object")
	}
	var keys map[string]bool
	if json.Valid(body) {
		var err error
		if keys, err = checkBody(body, reflect.TypeOf(v)); err != nil {
			return nil, err
		}
	}
	return keys, decodeValue(body, v)
}

func decodeValue(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return decodeProblem(err)
	}
	if _, err := d.Token(); err != io.EOF {
		return httperr.New(httperr.KindMalformed, "the body holds more than one JSON value")
	}
	return nil
}

func decodeProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	msg := err.Error()
	switch {
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return httperr.New(httperr.KindMalformed, "the body is not valid JSON")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return httperr.New(httperr.KindMalformed, "the body must be a JSON object")
		}
		return httperr.New(domain.KindInvalid, "a field has the wrong type",
			domain.FieldError{Field: field, Message: typeMessage(typ)})
	case strings.HasPrefix(msg, "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return httperr.WithCode(httperr.KindMalformed, httperr.CodeUnknownField, "the body has a field this endpoint does not take",
			domain.FieldError{Field: field, Message: "is not a field of this request"})
	}
	return httperr.New(httperr.KindMalformed, "the body could not be decoded")
}

// typeMessage says what a field of the wrong type should have been.
func typeMessage(typ *json.UnmarshalTypeError) string {
	t := typ.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	number := strings.HasPrefix(typ.Value, "number")
	switch t.Kind() {
	case reflect.String:
		return "must be a string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		if number {
			return "must be a whole number in range"
		}
		return "must be a whole number"
	case reflect.Float64, reflect.Float32:
		if number {
			return "is out of range"
		}
		return "must be a number"
	case reflect.Bool:
		return "must be a boolean"
	case reflect.Slice, reflect.Array:
		return "must be an array"
	}
	return "must be an object"
}
