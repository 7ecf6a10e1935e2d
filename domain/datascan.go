package domain

import "github.com/google/uuid"

// The data types read themselves from a scanner on the replay fast path.
// Each reads exactly the keys json.Marshal writes for it, so a key of another
// spelling (encoding/json matches case-insensitively), an unknown key or a
// null where encoding/json would do something particular sends the message
// back to encoding/json (see scanner).

// scanData reads raw into d, reporting false when encoding/json must decide.
// d may be partly filled then: the caller starts again from a new one.
func scanData(d Data, raw []byte) bool {
	r := scanner{b: raw}
	return scanInto(d, &r) && r.end()
}

// scanInto reads the data of d's type. It switches on the concrete types
// rather than calling through an interface so that the scanner can stay on
// the caller's stack.
func scanInto(d Data, r *scanner) bool {
	switch d := d.(type) {
	case *PersonRegistered:
		return d.scan(r)
	case *PersonUpdated:
		return d.scan(r)
	case *ManagerChanged:
		return d.scan(r)
	case *PersonDeparted:
		return d.scan(r)
	case *PersonErased:
		return d.scan(r)
	case *StandardSet:
		return d.scan(r)
	case *CadenceSet:
		return d.scan(r)
	case *MetricsSubmitted:
		return d.scan(r)
	case *MeetingHeld:
		return d.scan(r)
	case *MeetingSkipped:
		return d.scan(r)
	case *CommitmentMade:
		return d.scan(r)
	case *CommitmentFollowedUp:
		return d.scan(r)
	case *CommitmentRenegotiated:
		return d.scan(r)
	case *CommitmentKept:
		return d.scan(r)
	case *CommitmentMissed:
		return d.scan(r)
	case *CommitmentWithdrawn:
		return d.scan(r)
	case *PIPOpened:
		return d.scan(r)
	case *PIPAcknowledged:
		return d.scan(r)
	case *PIPCheckedIn:
		return d.scan(r)
	case *PIPRevised:
		return d.scan(r)
	case *PIPExtended:
		return d.scan(r)
	case *PIPClosed:
		return d.scan(r)
	}
	return false
}

func (d *PersonRegistered) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "name":
			return r.str(&d.Name)
		case "email":
			return r.str(&d.Email)
		case "title":
			return opt(r, &d.Title, r.str)
		case "manager_id":
			return opt(r, &d.ManagerID, r.id)
		}
		return false
	})
}

func (d *PersonUpdated) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "name":
			return opt(r, &d.Name, r.str)
		case "email":
			return opt(r, &d.Email, r.str)
		case "title":
			return opt(r, &d.Title, r.str)
		}
		return false
	})
}

func (d *ManagerChanged) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		return string(k) == "manager_id" && opt(r, &d.ManagerID, r.id)
	})
}

func (d *PersonDeparted) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "on":
			return r.date(&d.On)
		case "reason":
			return r.str(&d.Reason)
		}
		return false
	})
}

func (d *PersonErased) scan(r *scanner) bool {
	return r.object(func(k []byte) bool { return string(k) == "reason" && r.str(&d.Reason) })
}

func (t *Target) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "metric":
			return r.word(&t.Metric)
		case "target":
			return r.float(&t.Target)
		case "kind":
			return r.word(&t.Kind)
		case "unit":
			return opt(r, &t.Unit, r.str)
		}
		return false
	})
}

func (d *StandardSet) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "applies_to":
			return r.word(&d.AppliesTo)
		case "effective_from":
			return r.date(&d.EffectiveFrom)
		case "period":
			return r.word(&d.Period)
		case "targets":
			return list(r, &d.Targets, func(t *Target) bool { return t.scan(r) })
		}
		return false
	})
}

func (d *CadenceSet) scan(r *scanner) bool {
	return r.object(func(k []byte) bool { return string(k) == "every_days" && r.int(&d.EveryDays) })
}

func (d *MetricsSubmitted) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "period":
			return r.period(&d.Period)
		case "values":
			return r.floatMap(&d.Values)
		case "source":
			return r.word(&d.Source)
		case "correction_reason":
			return opt(r, &d.CorrectionReason, r.str)
		}
		return false
	})
}

func (d *Diagnosis) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "primary":
			return r.word(&d.Primary)
		case "note":
			return opt(r, &d.Note, r.str)
		}
		return false
	})
}

func (d *MeetingHeld) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "meeting_id":
			return r.id(&d.MeetingID)
		case "kind":
			return r.word(&d.Kind)
		case "held_at":
			return r.time(&d.HeldAt)
		case "with_id":
			return r.id(&d.WithID)
		case "duration_minutes":
			return opt(r, &d.DurationMinutes, r.int)
		case "notes":
			return opt(r, &d.Notes, r.str)
		case "diagnosis":
			return opt(r, &d.Diagnosis, func(g *Diagnosis) bool { return g.scan(r) })
		}
		return false
	})
}

func (d *MeetingSkipped) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "scheduled_for":
			return r.date(&d.ScheduledFor)
		case "reason":
			return r.str(&d.Reason)
		}
		return false
	})
}

func (m *CommitmentMetric) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "key":
			return r.word(&m.Key)
		case "target":
			return r.float(&m.Target)
		}
		return false
	})
}

func (d *CommitmentMade) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "commitment_id":
			return r.id(&d.CommitmentID)
		case "text":
			return r.str(&d.Text)
		case "due_on":
			return r.date(&d.DueOn)
		case "meeting_id":
			return opt(r, &d.MeetingID, r.id)
		case "metric":
			return opt(r, &d.Metric, func(m *CommitmentMetric) bool { return m.scan(r) })
		}
		return false
	})
}

func (d *CommitmentFollowedUp) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "commitment_id":
			return r.id(&d.CommitmentID)
		case "note":
			return r.str(&d.Note)
		case "progress":
			return opt(r, &d.Progress, r.float)
		}
		return false
	})
}

func (d *CommitmentRenegotiated) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "commitment_id":
			return r.id(&d.CommitmentID)
		case "new_due_on":
			return r.date(&d.NewDueOn)
		case "reason":
			return r.str(&d.Reason)
		}
		return false
	})
}

// scanResolution reads the data of commitment.kept and commitment.missed.
func scanResolution(r *scanner, id *uuid.UUID, note **string) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "commitment_id":
			return r.id(id)
		case "note":
			return opt(r, note, r.str)
		}
		return false
	})
}

func (d *CommitmentKept) scan(r *scanner) bool {
	return scanResolution(r, &d.CommitmentID, &d.Note)
}

func (d *CommitmentMissed) scan(r *scanner) bool {
	return scanResolution(r, &d.CommitmentID, &d.Note)
}

func (d *CommitmentWithdrawn) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "commitment_id":
			return r.id(&d.CommitmentID)
		case "reason":
			return r.str(&d.Reason)
		}
		return false
	})
}

func (g *PIPGoal) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "goal_id":
			return r.id(&g.GoalID)
		case "text":
			return r.str(&g.Text)
		case "metric":
			return opt(r, &g.Metric, r.str)
		case "target":
			return opt(r, &g.Target, r.float)
		}
		return false
	})
}

func scanGoals(r *scanner, goals *[]PIPGoal) bool {
	return list(r, goals, func(g *PIPGoal) bool { return g.scan(r) })
}

func (d *PIPOpened) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "pip_id":
			return r.id(&d.PIPID)
		case "reason":
			return r.str(&d.Reason)
		case "starts_on":
			return r.date(&d.StartsOn)
		case "ends_on":
			return r.date(&d.EndsOn)
		case "check_in_every_days":
			return r.int(&d.CheckInEveryDays)
		case "goals":
			return scanGoals(r, &d.Goals)
		}
		return false
	})
}

func (d *PIPAcknowledged) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "pip_id":
			return r.id(&d.PIPID)
		case "comment":
			return opt(r, &d.Comment, r.str)
		}
		return false
	})
}

func (g *GoalStatus) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "goal_id":
			return r.id(&g.GoalID)
		case "status":
			return r.word(&g.Status)
		case "note":
			return opt(r, &g.Note, r.str)
		}
		return false
	})
}

func (d *PIPCheckedIn) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "pip_id":
			return r.id(&d.PIPID)
		case "on":
			return r.date(&d.On)
		case "note":
			return r.str(&d.Note)
		case "goals":
			return list(r, &d.Goals, func(g *GoalStatus) bool { return g.scan(r) })
		}
		return false
	})
}

func (d *PIPRevised) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "pip_id":
			return r.id(&d.PIPID)
		case "goals":
			return scanGoals(r, &d.Goals)
		case "reason":
			return r.str(&d.Reason)
		}
		return false
	})
}

func (d *PIPExtended) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "pip_id":
			return r.id(&d.PIPID)
		case "new_ends_on":
			return r.date(&d.NewEndsOn)
		case "reason":
			return r.str(&d.Reason)
		}
		return false
	})
}

func (d *PIPClosed) scan(r *scanner) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "pip_id":
			return r.id(&d.PIPID)
		case "outcome":
			return r.word(&d.Outcome)
		case "note":
			return r.str(&d.Note)
		}
		return false
	})
}
