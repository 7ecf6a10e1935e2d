package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// The API is described in OpenAPI 3 (api/openapi.json), served at
// GET /openapi.json without a token. It is hand-maintained: every
// operation declares x-roles, the token roles that may call it ("public":
// none needed), and the web UI's routes are listed under x-ui-routes.
// TestRouteInventory fails on a route without an entry or an entry without
// a route; TestOpenAPIContract validates requests and responses of the real
// service against it.
//
//go:embed openapi.json
var openapiJSON []byte

// OpenAPI returns a copy of the document served at GET /openapi.json.
func OpenAPI() []byte { return append([]byte(nil), openapiJSON...) }

// serveOpenAPI answers GET /openapi.json.
func serveOpenAPI(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openapiJSON)
}
