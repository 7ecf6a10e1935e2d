package web

// errorData is the error page's: the refusal's status, title and message
// (ui.fail).
type errorData struct {
	Status         int
	Title, Message string
}
