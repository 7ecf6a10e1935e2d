package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestXRolesDeny (OWASP API5) holds the code to each operation's x-roles:
// a token of any role the operation does not declare gets 403, and the
// stream is unchanged. Members call with the owner's token, on the owner's
// own journal (the widest view a member has); body {} (role checks come
// before the rules). Declared roles are exercised by TestOpenAPIContract.
func TestXRolesDeny(t *testing.T) {
	o := newOrg(t)
	doc := loadSpec(t)
	pip := o.Created(http.MethodPost, "/v1/people/"+o.owner+"/pips", o.hr, map[string]any{"reason": "r", "starts_on": day(-1),
		"ends_on": day(30), "goals": []map[string]any{{"text": "g"}}})
	tokens := map[string]string{"admin": o.admin, "hr": o.hr, "analyst": o.analyst, "member": o.ownerT}
	checked := 0
	fill := strings.NewReplacer("{id}", o.owner, "{manager_id}", o.owner, "{cid}", o.owner, "{pid}", pip)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			roles, _ := xRoles(op.Extensions["x-roles"])
			if slices.Contains(roles, "public") || !routeServed(t, method, echoPath(path)) {
				continue
			}
			for _, role := range []string{"admin", "hr", "analyst", "member"} {
				if slices.Contains(roles, role) {
					continue
				}
				var body any
				if method == http.MethodPost {
					body = map[string]any{}
				}
				checked++
				before := o.LastSeq()
				r := o.Do(method, fill.Replace(path), tokens[role], body)
				if r.Status != http.StatusForbidden {
					t.Errorf("%s %s as %s (not in x-roles %v): status %d, want 403; body %.200s", method, path, role, roles, r.Status, r.Body)
				}
				if after := o.LastSeq(); after != before {
					t.Errorf("%s %s as %s: the stream moved from %d to %d", method, path, role, before, after)
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d denied calls checked: is x-roles read?", checked)
	}
	t.Logf("%d calls outside x-roles answered 403", checked)
}

// echoPath writes an OpenAPI path as Echo registers it: {id} → :id.
func echoPath(p string) string { return strings.NewReplacer("{", ":", "}", "").Replace(p) }
