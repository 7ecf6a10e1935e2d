package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// The forms layer, shared by every form of the UI:
//
//   - CSRF: the group's middleware (csrf.go) checks every POST.
//   - Post/redirect/get: a write that succeeds answers 303 to a page that
//     says what was recorded (?saved=…), so reloading it records nothing.
//   - Once only: each rendered form carries its own key (hidden field
//     _key); each event a submission records gets the Idempotency-Key
//     key + ":" + part ("meeting", "c1", "r.<commitment id>"…), so a double
//     click or a resubmitted page appends nothing new and says "already
//     recorded", and a submission cut short part-way can be sent again.
//   - Staleness: the form carries the journal version it was rendered from
//     (_version), applied as If-Match to its first write; a stale form is
//     shown again with what was recorded meanwhile and everything typed.
//   - Errors: the domain's field errors, beside their fields, in words.

// ExecuteFunc runs one write as the viewer; w.Meta is filled in by the
// API. Errors are *domain.Error of any kind; KindNotFound also for a
// person outside the viewer's view.
type ExecuteFunc func(ctx context.Context, v Viewer, w domain.Write) (domain.Written, error)

// CheckFunc is the API's access rule for the viewer writing cmd on
// person's journal, without writing: nil when allowed. Errors are
// *domain.Error (KindNotFound, KindForbidden, KindInvalid).
type CheckFunc func(v Viewer, person uuid.UUID, cmd domain.Command) error

// form is one rendered form: its key, the version it was rendered from,
// what was typed, and what to say beside each field and above the form.
type form struct {
	Key     string
	Version uint64
	Values  url.Values
	Errors  map[string]string         // form field → message in words
	Notice  string                    // above the form: why it is shown again
	Changes []change                  // what was recorded since the form's version
	label   func(field string) string // a form field's label, for messages; nil or "": "This"
}

// change is a step recorded meanwhile, as a form's notice lists it.
type change struct {
	At   time.Time
	Line string // the step's summary, with its dates in words
}

// newForm is a fresh form rendered from a journal at version.
func newForm(version uint64, values url.Values) *form {
	if values == nil {
		values = url.Values{}
	}
	return &form{Key: newKey(), Version: version, Values: values, Errors: map[string]string{}}
}

func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var formKey = regexp.MustCompile(`^[0-9a-f]{32}$`)

// postedForm reads a submitted form; ok is false (and a 400 page written)
// when it lacks the key or version a rendered form always carries.
func (u *ui) postedForm(c echo.Context) (*form, bool, error) {
	vals, err := c.FormParams()
	if err != nil {
		return nil, false, u.fail(c, httperr.KindMalformed, "The form could not be read.")
	}
	f := &form{Key: vals.Get("_key"), Values: vals, Errors: map[string]string{}}
	v, err := strconv.ParseUint(vals.Get("_version"), 10, 64)
	if !formKey.MatchString(f.Key) || err != nil {
		return nil, false, u.fail(c, httperr.KindMalformed, "This form is not one this site rendered. Open the page again.")
	}
	f.Version = v
	return f, true, nil
}

// seePosted starts every form handler: the person the route's :id names,
// inside the viewer's view (else the refusal is already written), and the
// form as posted.
func (u *ui) seePosted(c echo.Context) (projections.Person, *form, bool, error) {
	p, ok, err := u.see(c, "id")
	if !ok {
		return p, nil, false, err
	}
	f, ok, err := u.postedForm(c)
	return p, f, ok, err
}

// Get returns what was typed in a field.
func (f *form) Get(name string) string { return f.Values.Get(name) }

// Is reports whether a choice field holds value.
func (f *form) Is(name, value string) bool { return f.Values.Get(name) == value }

// Err returns the message beside a field, "" when it is fine.
func (f *form) Err(name string) string { return f.Errors[name] }

// Invalid reports whether any field has an error.
func (f *form) Invalid() bool { return len(f.Errors) > 0 }

// fieldError sets a field's message, keeping the first.
func (f *form) fieldError(field, msg string) {
	if _, ok := f.Errors[field]; !ok {
		f.Errors[field] = msg
	}
}

// write runs cmd on person's journal with the form's key for part; with
// ifMatch, only if the journal is still at the form's version.
func (u *ui) write(c echo.Context, person uuid.UUID, f *form, part string, cmd domain.Command, ifMatch bool) (domain.Written, error) {
	if u.Execute == nil {
		return domain.Written{}, domain.Errorf(domain.KindUnavailable, "writes are not available")
	}
	v := viewer(c)
	body, _ := json.Marshal(cmd)
	sum := sha256.Sum256([]byte(fmt.Sprintf("web %s %T %s\n%s\n%s", person, cmd, part, v.Sub, body)))
	w := domain.Write{PersonID: person, Command: cmd, IdempotencyKey: f.Key + ":" + part, RequestHash: hex.EncodeToString(sum[:])}
	if ifMatch {
		w.IfVersion = &f.Version
	}
	res, err := u.Execute(c.Request().Context(), v, w)
	if err == nil && res.Pending {
		c.Set(pendingKey, true) // saved tells the next page (see savedNote)
	}
	return res, err
}

// pendingKey marks a request one of whose writes was stored but not yet
// visible on this replica when it was answered.
const pendingKey = "cj.write.pending"

// refused explains a write's error on the form and returns its kind, for
// the page's status (httperr's table). rename maps the domain's field names
// to the form's; handled is false for errors that are no form's business
// (not found: the caller answers 404).
func (u *ui) refused(f *form, p projections.Person, err error, rename func(string) string) (kind domain.Kind, handled bool) {
	var de *domain.Error
	if !asDomain(err, &de) {
		f.Notice = "Something went wrong and nothing was recorded. Send the form again."
		return domain.KindInternal, true
	}
	switch de.Kind {
	case domain.KindInvalid:
		for _, fe := range de.Fields {
			name := rename(fe.Field)
			f.fieldError(name, u.words(f, name, fe.Message))
		}
		f.Notice = "Nothing was recorded yet: please correct what is marked below."
		return de.Kind, true
	case domain.KindPrecondition:
		u.stale(f, p)
		return de.Kind, true
	case domain.KindUnavailable:
		f.Notice = "The journal could not be reached, so this may or may not have been recorded. Send the form again: it is recorded at most once."
		return de.Kind, true
	case domain.KindForbidden:
		f.Notice = "You may not do this: " + plain(u, de.Message) + "."
		return de.Kind, true
	case domain.KindConflict:
		if len(de.Fields) > 0 { // the org's decision names the field (a cycle, a departed manager)
			for _, fe := range de.Fields {
				name := rename(fe.Field)
				f.fieldError(name, u.words(f, name, fe.Message))
			}
			f.Notice = "Nothing was recorded: please correct what is marked below."
			return de.Kind, true
		}
		f.Notice = conflictWords(u, p, de)
		return de.Kind, true
	}
	return domain.KindNotFound, false
}

func asDomain(err error, de **domain.Error) bool {
	e, ok := err.(*domain.Error)
	if ok {
		*de = e
	}
	return ok
}

// stale fills in what was recorded on p's journal since the form's version
// and moves the form to the current version, keeping what was typed.
func (u *ui) stale(f *form, p projections.Person) {
	cur, _ := u.Views.Person(p.ID)
	var all []projections.Step
	for after := uint64(0); ; {
		page, next := u.Views.Timeline(p.ID, projections.TimelineQuery{After: after, Limit: 500})
		all = append(all, page...)
		if next == 0 {
			break
		}
		after = next
	}
	if int(f.Version) < len(all) {
		f.Changes = nil
		for _, st := range all[f.Version:] {
			f.Changes = append(f.Changes, change{At: st.OccurredAt, Line: u.Views.SummaryIn(st, pageWords)})
		}
	}
	f.Version = cur.Version
	f.Notice = "Someone recorded something in " + p.Name + "'s journal while this form was open, so nothing was recorded. " +
		"Here is what changed; what you typed is kept below. Check it and send it again."
}

// conflictWords says why the journal refused, without ids.
func conflictWords(u *ui, p projections.Person, de *domain.Error) string {
	switch m := de.Message; {
	case de.Code == domain.CodeIdempotencyKeyReused:
		return "This form was already sent with different content, so nothing new was recorded. Open the page again to start a new entry."
	// The org's refusals (domain.DecideOrg), before the person's own.
	case strings.Contains(m, "reporting cycle"):
		return "Nothing was recorded: the chosen manager reports (directly or not) to " + p.Name + ", so this would make a reporting cycle."
	case strings.HasPrefix(m, "manager ") && strings.Contains(m, "has departed"):
		return "Nothing was recorded: the chosen manager has left. Choose a manager who has not."
	case strings.Contains(m, "still manages"):
		return "Nothing was recorded: " + p.Name + " still manages people. Move them to another manager first."
	case strings.Contains(m, "departed"):
		return p.Name + " has left: their journal takes no new coaching entries."
	case strings.Contains(m, "erased"):
		return p.Name + "'s personal data was erased: their journal takes no new entries."
	case strings.Contains(m, "already resolved"):
		return "That commitment was already resolved, so nothing was recorded for it."
	case strings.Contains(m, "already has an active PIP"):
		return p.Name + " already has an active PIP: close it before opening another."
	case strings.Contains(m, "already acknowledged"):
		return "This version of the PIP is already acknowledged, so nothing was recorded."
	case strings.Contains(m, "PIP") && strings.HasSuffix(m, "is closed"):
		return "This PIP is closed: it takes no more entries."
	case strings.Contains(m, "changing too fast"):
		return "The journal was busy; nothing was recorded. Send the form again."
	default:
		return "The journal refused this: " + plain(u, m) + "."
	}
}

var uuidPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// plain replaces ids in a message by names, or drops them.
func plain(u *ui, msg string) string {
	return uuidPattern.ReplaceAllStringFunc(msg, func(id string) string {
		if n := u.name(id); n != id {
			return n
		}
		return "it"
	})
}

// words turns a domain message into a sentence beside its field: the
// field's label, then the rule in plain words.
func (u *ui) words(f *form, field, msg string) string {
	switch {
	case strings.HasPrefix(msg, "must be between 0 and 1.79"):
		msg = "must be a number, 0 or more"
	case strings.HasPrefix(msg, "must match ^"):
		msg = "must be lowercase letters, digits and _"
	case strings.HasPrefix(msg, "must be one of "):
		msg = "needs one of the choices"
	}
	msg = fieldWords.Replace(msg)
	var label string
	if f.label != nil {
		label = f.label(field)
	}
	if label == "" {
		label = "This"
	}
	return label + " " + plain(u, msg) + "."
}

// labelsIn labels a form's fields by m.
func labelsIn(m map[string]string) func(string) string {
	return func(field string) string { return m[field] }
}

// fieldWords are the domain's field names that its messages mention.
var fieldWords = strings.NewReplacer("after starts_on", "after the start")

// saved redirects (303) to path with what was recorded, for the page to
// say; when a write of the request was not yet visible on this replica
// (domain.Written.Pending), the page says it will show shortly.
func saved(c echo.Context, path, what string, replayed bool, anchor string) error {
	q := url.Values{"saved": {what}}
	if replayed {
		q.Set("again", "1")
	}
	if pending, _ := c.Get(pendingKey).(bool); pending {
		q.Set("pending", "1")
	}
	if anchor != "" {
		anchor = "#" + anchor
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return c.Redirect(http.StatusSeeOther, path+sep+q.Encode()+anchor)
}

// savedNote is the line a page shows after a redirect from a form.
func savedNote(c echo.Context) string {
	what := c.QueryParam("saved")
	if what == "" || len(what) > 200 {
		return ""
	}
	if c.QueryParam("again") != "" {
		return "Already recorded: this form had been sent before, and nothing was recorded twice."
	}
	if c.QueryParam("pending") != "" {
		return "Recorded: " + what + ". It will show on this page shortly: reload it in a moment if it is not there yet."
	}
	return "Recorded: " + what + "."
}

// writeRoutes registers the UI's forms.
func (u *ui) writeRoutes(in *echo.Group) {
	in.GET("/people/:id/one-on-one", u.cacheable(u.oneOnOne))
	in.POST("/people/:id/one-on-one", u.recordOneOnOne)
	in.POST("/people/:id/one-on-one/skipped", u.skipOneOnOne)
	in.GET("/people/:id/week", u.week)
	in.POST("/people/:id/week", u.submitWeek)
	in.GET("/people/:id/pips/new", u.newPIP) // pip_forms.go
	in.POST("/people/:id/pips", u.openPIP)
	for name, a := range pipActions { // pip_actions.go
		in.POST("/people/:id/pips/:pid/"+a.route, u.postPIP(name))
		if a.title != "" {
			in.GET("/people/:id/pips/:pid/"+a.route, u.pipStep(name))
		}
	}
	u.orgRoutes(in) // org.go
}

// kindWord names a meeting kind for people: performance → Performance 1-on-1.
func kindWord(k string) string { return choiceLabel(meetingKinds, k) }

// diagWord names a diagnosis (a primary gap) for people: deal_size → Deal size.
func diagWord(d string) string { return choiceLabel(diagnoses, d) }

func choiceLabel(cs []choice, v string) string {
	for _, c := range cs {
		if c.Value == v {
			return c.Label
		}
	}
	return statusWord(v)
}
