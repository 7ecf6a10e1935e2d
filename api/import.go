package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// Bulk import limits.
const (
	importPath = "/v1/import"
	// MaxImportBody is the body limit of POST /v1/import.
	MaxImportBody = 32 << 20
	// ImportBatchSize is how many lines one atomic batch holds: the
	// store's (the server's limit on an atomic publish, less one for the
	// org marker of a batch that registers or departs people).
	ImportBatchSize = 999
	// maxImportProblems bounds the line errors one answer lists.
	maxImportProblems = 100
)

// importNamespace derives the id of a meeting, commitment or PIP created
// by an import line from its person and "ref": RefID.
var importNamespace = uuid.MustParse("3b9f1f8e-6d2a-4c1e-9a7b-52c0d4e8a1f3")

// RefID returns the id an import line with "ref" gives the meeting,
// commitment or PIP it creates: a UUIDv5 of the person id and the ref.
// Later lines refer to it with commitment_ref, pip_ref or meeting_ref (or
// by this id).
func RefID(personID uuid.UUID, ref string) uuid.UUID {
	return uuid.NewSHA1(importNamespace, []byte(personID.String()+"/"+ref))
}

// importLine is one NDJSON line of a bulk import: one command addressed to
// one journal. data is the body the command's own endpoint takes.
type importLine struct {
	PersonID      string          `json:"person_id"`
	Type          string          `json:"type"`
	Actor         *domain.Actor   `json:"actor"`
	OccurredAt    *string         `json:"occurred_at"`
	Ref           *string         `json:"ref"`
	CommitmentID  *string         `json:"commitment_id"`
	CommitmentRef *string         `json:"commitment_ref"`
	PIPID         *string         `json:"pip_id"`
	PIPRef        *string         `json:"pip_ref"`
	MeetingRef    *string         `json:"meeting_ref"`
	Data          json.RawMessage `json:"data"`
}

// importBatch reports one atomic batch of an import.
type importBatch struct {
	Batch         int    `json:"batch"` // from 1
	FirstLine     int    `json:"first_line"`
	LastLine      int    `json:"last_line"`
	Events        int    `json:"events"`
	Status        string `json:"status"` // committed, rejected or not_attempted
	FirstSequence uint64 `json:"first_sequence,omitempty"`
	LastSequence  uint64 `json:"last_sequence,omitempty"`
}

// importResult is the answer of a complete import: 200 when this
// replica's reads show it, 202 with Visible false when its projections
// had not applied it within the read wait (as for any write, write.go).
type importResult struct {
	Lines        int           `json:"lines"`
	Events       int           `json:"events"`
	LastSequence uint64        `json:"last_sequence"`
	Batches      []importBatch `json:"batches"`
	Visible      bool          `json:"visible"`
}

// importProblem is the problem answer of an import a batch of which failed:
// the batches before it are committed, it and those after it are not.
type importProblem struct {
	Problem
	FailedLine int           `json:"failed_line,omitempty"`
	Batches    []importBatch `json:"batches"`
}

// importNDJSON is POST /v1/import (admin): validates every line, then
// decides and appends them in atomic batches of ImportBatchSize, in order,
// stopping at the first batch that fails. ImportBatchSize must match the
// store's batch size (eventstore.MaxImportBatch).
func (s *Server) importNDJSON(c echo.Context) error {
	p := principal(c)
	if p.Role != domain.RoleAdmin {
		return forbidden("only an admin may import")
	}
	body, err := readBody(c, MaxImportBody)
	if err != nil {
		return err
	}
	now := s.now()
	writes, lines, err := s.parseImport(body, p.Actor(), now)
	if err != nil {
		return err
	}
	batches := planBatches(lines)
	events, failed, err := s.journals.Import(c.Request().Context(), writes)
	res := importResult{Lines: len(lines), Events: len(events), Batches: batches}
	for i := range batches {
		lo := i * ImportBatchSize
		if lo >= len(events) {
			break
		}
		got := events[lo:min(lo+ImportBatchSize, len(events))]
		b := &batches[i]
		b.Status, b.Events = "committed", len(got)
		b.FirstSequence, b.LastSequence = got[0].Sequence, got[len(got)-1].Sequence
		res.LastSequence = b.LastSequence
	}
	for range events {
		s.countWrite("appended")
	}
	if err != nil {
		i := min(len(events)/ImportBatchSize, len(batches)-1)
		batches[i].Status = "rejected"
		s.countWrite(writeOutcome(domain.Written{}, err))
		return s.importFailed(c, batches, i, lines, failed, err)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.readWait)
	defer cancel()
	res.Visible = true
	if err := s.views.WaitFor(ctx, res.LastSequence); err != nil {
		s.log.Warn("projections behind after import: answering that it is not visible yet", "sequence", res.LastSequence)
		res.Visible = false
	}
	c.Response().Header().Set("X-Journal-Sequence", strconv.FormatUint(res.LastSequence, 10))
	if !res.Visible {
		c.Response().Header().Set("Retry-After", pendingRetryAfter)
		return c.JSON(http.StatusAccepted, res)
	}
	return c.JSON(http.StatusOK, res)
}

// planBatches splits the lines (their numbers) into batches, none attempted yet.
func planBatches(lines []int) []importBatch {
	var out []importBatch
	for lo := 0; lo < len(lines); lo += ImportBatchSize {
		hi := min(lo+ImportBatchSize, len(lines))
		out = append(out, importBatch{Batch: len(out) + 1, FirstLine: lines[lo], LastLine: lines[hi-1], Status: "not_attempted"})
	}
	return out
}

// importFailed answers a failed batch: the domain's problem, with its
// fields prefixed by the line that broke the rule, and every batch's state.
func (s *Server) importFailed(c echo.Context, batches []importBatch, i int, lines []int, failed int, err error) error {
	pr, internal := toProblem(err)
	if internal {
		s.log.Error("import batch failed", "err", err)
	}
	if pr.Kind == domain.KindNotFound { // a line names what does not exist: the body is at fault, not the URL
		pr = httperr.New(domain.KindInvalid, pr.Detail, pr.Errors...)
	}
	out := importProblem{Problem: *pr, Batches: batches}
	b := batches[i]
	out.Detail = fmt.Sprintf("batch %d (lines %d–%d) was not stored: %s", b.Batch, b.FirstLine, b.LastLine, pr.Detail)
	if failed >= 0 {
		line := lines[failed]
		out.FailedLine = line
		out.Detail = fmt.Sprintf("batch %d (lines %d–%d) was not stored: line %d: %s", b.Batch, b.FirstLine, b.LastLine, line, pr.Detail)
		out.Errors = prefixFields(line, pr.Errors)
		if len(out.Errors) == 0 {
			out.Errors = []domain.FieldError{{Field: lineField(line, ""), Message: pr.Detail}}
		}
	}
	if pr.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(pr.RetryAfter))
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(pr.Status)
	return json.NewEncoder(c.Response()).Encode(out)
}

func lineField(line int, field string) string {
	if field == "" {
		return "line " + strconv.Itoa(line)
	}
	return "line " + strconv.Itoa(line) + ": " + field
}

func prefixFields(line int, fs []domain.FieldError) []domain.FieldError {
	out := make([]domain.FieldError, len(fs))
	for i, f := range fs {
		out[i] = domain.FieldError{Field: lineField(line, f.Field), Message: f.Message}
	}
	return out
}

// lineProblems collects the problems of the lines while they are parsed;
// any one of them refuses the whole import before anything is stored.
type lineProblems struct {
	malformed bool // a 400 (malformed JSON, unknown field) rather than a 422
	errs      []domain.FieldError
}

func (lp *lineProblems) add(line int, err error) {
	if len(lp.errs) >= maxImportProblems {
		return
	}
	pr, _ := toProblem(err)
	if pr.Kind == httperr.KindMalformed {
		lp.malformed = true
	}
	if len(pr.Errors) == 0 {
		lp.errs = append(lp.errs, domain.FieldError{Field: lineField(line, ""), Message: pr.Detail})
		return
	}
	lp.errs = append(lp.errs, prefixFields(line, pr.Errors)...)
}

func (lp *lineProblems) err() error {
	if len(lp.errs) == 0 {
		return nil
	}
	detail := "the import was not stored: " + lp.errs[0].Field + ": " + lp.errs[0].Message
	if lp.malformed {
		return httperr.New(httperr.KindMalformed, detail, lp.errs...)
	}
	return httperr.New(domain.KindInvalid, detail, lp.errs...)
}

// parseImport turns the NDJSON body into writes, checking every line; it
// returns each write's line number. Blank lines are skipped.
func (s *Server) parseImport(body []byte, caller domain.Actor, now time.Time) ([]domain.Write, []int, error) {
	var writes []domain.Write
	var lines []int
	var lp lineProblems
	registered := map[uuid.UUID]bool{}
	for n, raw := range bytes.Split(body, []byte("\n")) {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		line := n + 1
		if len(raw) > MaxBody {
			lp.add(line, domain.Invalid(domain.FieldError{Field: "line", Message: fmt.Sprintf("is longer than %d bytes", MaxBody)}))
			continue
		}
		w, err := s.parseLine(raw, caller, now, registered)
		if err != nil {
			lp.add(line, err)
			continue
		}
		writes, lines = append(writes, w), append(lines, line)
	}
	if err := lp.err(); err != nil {
		return nil, nil, err
	}
	if len(writes) == 0 {
		return nil, nil, httperr.New(domain.KindInvalid, "the body holds no lines",
			domain.FieldError{Field: "body", Message: "must hold one command per line"})
	}
	return writes, lines, nil
}

// parseLine decodes one line into the write it asks for. registered holds
// the people registered by earlier lines, who may be named as managers or
// meeting leaders before the projections know them.
func (s *Server) parseLine(raw []byte, caller domain.Actor, now time.Time, registered map[uuid.UUID]bool) (domain.Write, error) {
	var l importLine
	if err := decodeStrict(raw, &l); err != nil {
		return domain.Write{}, err
	}
	var p domain.Problems
	person, perr := uuid.Parse(l.PersonID)
	if perr != nil || person == uuid.Nil || len(l.PersonID) != 36 {
		p.Add("person_id", "must be a UUID")
	}
	meta := domain.Meta{Actor: caller, Now: now}
	if l.Actor != nil {
		if _, ok := domain.ParseRole(string(l.Actor.Role)); !ok || l.Actor.ID == "" || len(l.Actor.ID) > 200 {
			p.Add("actor", "must name an id and one of the roles admin, hr, analyst, member")
		}
		meta.Actor = *l.Actor
	}
	if l.OccurredAt != nil {
		at, err := time.Parse(time.RFC3339, *l.OccurredAt)
		switch {
		case err != nil:
			p.Add("occurred_at", "must be an RFC 3339 time")
		case at.After(now.Add(5 * time.Minute)):
			p.Add("occurred_at", "is in the future")
		}
		meta.OccurredAt = at
	}
	if err := p.Err(); err != nil {
		return domain.Write{}, err
	}
	build := importTypes[l.Type]
	if build == nil {
		return domain.Write{}, domain.Invalid(domain.FieldError{Field: "type", Message: "is not an event type an import takes"})
	}
	cmd, err := build(s, &l, person, registered)
	if err != nil {
		return domain.Write{}, err
	}
	if l.Ref != nil {
		if !creates[l.Type] || *l.Ref == "" {
			return domain.Write{}, domain.Invalid(domain.FieldError{Field: "ref", Message: "is taken only by a non-empty ref on meeting.held, commitment.made and pip.opened"})
		}
		cmd = domain.WithID{Command: cmd, ID: RefID(person, *l.Ref)}
	}
	if _, ok := cmd.(domain.RegisterPerson); ok {
		registered[person] = true
	}
	return domain.Write{PersonID: person, Command: cmd, Meta: meta}, nil
}

// known checks that an optional person id field names someone registered,
// in the projections or by an earlier line.
func (s *Server) known(field string, raw *string, registered map[uuid.UUID]bool) error {
	if raw == nil {
		return nil
	}
	if id, err := uuid.Parse(*raw); err == nil && registered[id] {
		return nil
	}
	return s.existing(field, raw)
}

// refOrID resolves a line's reference to a resource: an id, or a ref of
// the same person (RefID).
func refOrID(field string, id, ref *string, person uuid.UUID) (uuid.UUID, error) {
	switch {
	case id != nil && ref != nil:
		return uuid.Nil, domain.Invalid(domain.FieldError{Field: field, Message: "give the id or the ref, not both"})
	case ref != nil:
		return RefID(person, *ref), nil
	case id != nil:
		if v, err := uuid.Parse(*id); err == nil && len(*id) == 36 {
			return v, nil
		}
		return uuid.Nil, domain.Invalid(domain.FieldError{Field: field, Message: "must be a UUID"})
	}
	return uuid.Nil, domain.Invalid(domain.FieldError{Field: field, Message: "is required for this type"})
}

// lineData strictly decodes a line's data into T ({} when absent); field
// names in errors are prefixed with "data.".
func lineData[T any](l *importLine) (T, error) {
	var v T
	raw := l.Data
	if len(raw) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	err := decodeStrict(raw, &v)
	var pr *Problem
	if errors.As(err, &pr) {
		cp := *pr
		cp.Errors = make([]domain.FieldError, len(pr.Errors))
		for i, f := range pr.Errors {
			cp.Errors[i] = domain.FieldError{Field: "data." + f.Field, Message: f.Message}
		}
		return v, &cp
	}
	return v, err
}
