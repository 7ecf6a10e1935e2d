package web

import "github.com/a-h/templ"

func init() { views["error"] = func(p page) templ.Component { return errorView(p.Data.(errorData)) } }

// errorData is the error page's: the refusal's status, title and message
// (ui.fail).
type errorData struct {
	Status         int
	Title, Message string
}
