package domain

// RegisterPerson starts a journal. That ManagerID names a registered person
// who has not departed is DecideOrg's rule (the org is outside one journal).
type RegisterPerson struct {
	Name      string  `json:"name"`
	Email     string  `json:"email"`
	Title     *string `json:"title"`
	ManagerID *string `json:"manager_id"`
}

func (c RegisterPerson) decide(j *Journal, m Meta) (Data, error) {
	var p Problems
	d := &PersonRegistered{Name: p.name("name", c.Name), Email: p.email("email", c.Email), Title: p.optName("title", c.Title)}
	d.ManagerID = p.optID("manager_id", c.ManagerID)
	if d.ManagerID != nil && *d.ManagerID == j.personID {
		p.Add("manager_id", "a person cannot manage themselves")
	}
	return d, p.Err()
}

// UpdatePerson changes name, email or title; at least one is required.
type UpdatePerson struct {
	Name  *string `json:"name"`
	Email *string `json:"email"`
	Title *string `json:"title"`
}

func (c UpdatePerson) decide(j *Journal, m Meta) (Data, error) {
	var p Problems
	d := &PersonUpdated{Name: p.optName("name", c.Name), Title: p.optName("title", c.Title)}
	if c.Email != nil {
		e := p.email("email", *c.Email)
		d.Email = &e
	}
	if c.Name == nil && c.Email == nil && c.Title == nil {
		p.Add("name", "at least one of name, email, title is required")
	}
	return d, p.Err()
}

// ChangeManager moves the person under another manager, or to the top of
// the org with a null manager_id. Rules:
//  1. the manager is not the person;
//  2. the rules that read the org (the manager is registered and has not
//     departed, never a cycle) are DecideOrg's, which the store applies
//     under the org condition (see org.go).
type ChangeManager struct {
	ManagerID *string `json:"manager_id"`
}

func (c ChangeManager) decide(j *Journal, m Meta) (Data, error) {
	var p Problems
	d := &ManagerChanged{ManagerID: p.optID("manager_id", c.ManagerID)}
	if d.ManagerID != nil && *d.ManagerID == j.personID {
		p.Add("manager_id", "a person cannot manage themselves")
	}
	return d, p.Err()
}

// DepartPerson records that the person left on a date. That nobody still
// reports to them is DecideOrg's rule.
type DepartPerson struct {
	On     string `json:"on"`
	Reason string `json:"reason"`
}

func (c DepartPerson) decide(j *Journal, m Meta) (Data, error) {
	var p Problems
	return &PersonDeparted{On: p.date("on", c.On), Reason: p.note("reason", c.Reason)}, p.Err()
}

// ErasePerson crypto-shreds the person's personal data. The store deletes
// the data key once the event is appended.
type ErasePerson struct {
	Reason string `json:"reason"`
}

func (c ErasePerson) decide(j *Journal, m Meta) (Data, error) {
	var p Problems
	if m.Actor.Role != RoleAdmin && m.Actor.Role != RoleHR {
		return nil, Errorf(KindForbidden, "only admin or HR may erase a person")
	}
	return &PersonErased{Reason: p.note("reason", c.Reason)}, p.Err()
}
