package eventjson

import (
	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// Each data type has its reader (scanPersonRegistered…) on the replay fast
// path. Each reads exactly the keys json.Marshal writes for it, so a key of another
// spelling (encoding/json matches case-insensitively), an unknown key or a
// null where encoding/json would do something particular sends the message
// back to encoding/json (see scanner).

// scanData reads raw into d, reporting false when encoding/json must decide.
// d may be partly filled then: the caller starts again from a new one.
func scanData(d domain.Data, raw []byte) bool {
	r := scanner{b: raw}
	return scanInto(d, &r) && r.end()
}

// scanInto reads the data of d's type. It switches on the concrete types
// rather than calling through an interface so that the scanner can stay on
// the caller's stack.
func scanInto(d domain.Data, r *scanner) bool {
	switch d := d.(type) {
	case *domain.PersonRegistered:
		return scanPersonRegistered(r, d)
	case *domain.PersonUpdated:
		return scanPersonUpdated(r, d)
	case *domain.ManagerChanged:
		return scanManagerChanged(r, d)
	case *domain.PersonDeparted:
		return scanPersonDeparted(r, d)
	case *domain.PersonErased:
		return scanPersonErased(r, d)
	case *domain.StandardSet:
		return scanStandardSet(r, d)
	case *domain.CadenceSet:
		return scanCadenceSet(r, d)
	case *domain.MetricsSubmitted:
		return scanMetricsSubmitted(r, d)
	case *domain.MeetingHeld:
		return scanMeetingHeld(r, d)
	case *domain.MeetingSkipped:
		return scanMeetingSkipped(r, d)
	case *domain.CommitmentMade:
		return scanCommitmentMade(r, d)
	case *domain.CommitmentFollowedUp:
		return scanCommitmentFollowedUp(r, d)
	case *domain.CommitmentRenegotiated:
		return scanCommitmentRenegotiated(r, d)
	case *domain.CommitmentKept:
		return scanCommitmentKept(r, d)
	case *domain.CommitmentMissed:
		return scanCommitmentMissed(r, d)
	case *domain.CommitmentWithdrawn:
		return scanCommitmentWithdrawn(r, d)
	case *domain.PIPOpened:
		return scanPIPOpened(r, d)
	case *domain.PIPAcknowledged:
		return scanPIPAcknowledged(r, d)
	case *domain.PIPCheckedIn:
		return scanPIPCheckedIn(r, d)
	case *domain.PIPRevised:
		return scanPIPRevised(r, d)
	case *domain.PIPExtended:
		return scanPIPExtended(r, d)
	case *domain.PIPClosed:
		return scanPIPClosed(r, d)
	}
	return false
}

func scanPersonRegistered(r *scanner, d *domain.PersonRegistered) bool {
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

func scanPersonUpdated(r *scanner, d *domain.PersonUpdated) bool {
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

func scanManagerChanged(r *scanner, d *domain.ManagerChanged) bool {
	return r.object(func(k []byte) bool {
		return string(k) == "manager_id" && opt(r, &d.ManagerID, r.id)
	})
}

func scanPersonDeparted(r *scanner, d *domain.PersonDeparted) bool {
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

func scanPersonErased(r *scanner, d *domain.PersonErased) bool {
	return r.object(func(k []byte) bool { return string(k) == "reason" && r.str(&d.Reason) })
}

func scanTarget(r *scanner, t *domain.Target) bool {
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

func scanStandardSet(r *scanner, d *domain.StandardSet) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "applies_to":
			return r.word(&d.AppliesTo)
		case "effective_from":
			return r.date(&d.EffectiveFrom)
		case "period":
			return r.word(&d.Period)
		case "targets":
			return list(r, &d.Targets, func(t *domain.Target) bool { return scanTarget(r, t) })
		}
		return false
	})
}

func scanCadenceSet(r *scanner, d *domain.CadenceSet) bool {
	return r.object(func(k []byte) bool { return string(k) == "every_days" && r.int(&d.EveryDays) })
}

func scanMetricsSubmitted(r *scanner, d *domain.MetricsSubmitted) bool {
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

func scanDiagnosis(r *scanner, d *domain.Diagnosis) bool {
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

func scanMeetingHeld(r *scanner, d *domain.MeetingHeld) bool {
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
			return opt(r, &d.Diagnosis, func(g *domain.Diagnosis) bool { return scanDiagnosis(r, g) })
		}
		return false
	})
}

func scanMeetingSkipped(r *scanner, d *domain.MeetingSkipped) bool {
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

func scanCommitmentMetric(r *scanner, m *domain.CommitmentMetric) bool {
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

func scanCommitmentMade(r *scanner, d *domain.CommitmentMade) bool {
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
			return opt(r, &d.Metric, func(m *domain.CommitmentMetric) bool { return scanCommitmentMetric(r, m) })
		}
		return false
	})
}

func scanCommitmentFollowedUp(r *scanner, d *domain.CommitmentFollowedUp) bool {
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

func scanCommitmentRenegotiated(r *scanner, d *domain.CommitmentRenegotiated) bool {
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

func scanCommitmentKept(r *scanner, d *domain.CommitmentKept) bool {
	return scanResolution(r, &d.CommitmentID, &d.Note)
}

func scanCommitmentMissed(r *scanner, d *domain.CommitmentMissed) bool {
	return scanResolution(r, &d.CommitmentID, &d.Note)
}

func scanCommitmentWithdrawn(r *scanner, d *domain.CommitmentWithdrawn) bool {
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

func scanPIPGoal(r *scanner, g *domain.PIPGoal) bool {
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

func scanGoals(r *scanner, goals *[]domain.PIPGoal) bool {
	return list(r, goals, func(g *domain.PIPGoal) bool { return scanPIPGoal(r, g) })
}

func scanPIPOpened(r *scanner, d *domain.PIPOpened) bool {
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

func scanPIPAcknowledged(r *scanner, d *domain.PIPAcknowledged) bool {
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

func scanGoalStatus(r *scanner, g *domain.GoalStatus) bool {
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

func scanPIPCheckedIn(r *scanner, d *domain.PIPCheckedIn) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "pip_id":
			return r.id(&d.PIPID)
		case "on":
			return r.date(&d.On)
		case "note":
			return r.str(&d.Note)
		case "goals":
			return list(r, &d.Goals, func(g *domain.GoalStatus) bool { return scanGoalStatus(r, g) })
		}
		return false
	})
}

func scanPIPRevised(r *scanner, d *domain.PIPRevised) bool {
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

func scanPIPExtended(r *scanner, d *domain.PIPExtended) bool {
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

func scanPIPClosed(r *scanner, d *domain.PIPClosed) bool {
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
