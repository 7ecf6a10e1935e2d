package projections

import (
	"github.com/coachjournal/coachjournal/domain"
)

// The data tags of the snapshot format. They are part of the format: a
// new data type takes a new tag and a change bumps SnapshotVersion.
const (
	tagPersonRegistered byte = iota + 1
	tagPersonUpdated
	tagManagerChanged
	tagPersonDeparted
	tagPersonErased
	tagStandardSet
	tagCadenceSet
	tagMetricsSubmitted // the domain form: an event erased on arrival
	tagMetricsData      // the compact stored form
	tagMeetingHeld
	tagMeetingSkipped
	tagCommitmentMade
	tagCommitmentFollowedUp
	tagCommitmentRenegotiated
	tagCommitmentKept
	tagCommitmentMissed
	tagCommitmentWithdrawn
	tagPIPOpened
	tagPIPAcknowledged
	tagPIPCheckedIn
	tagPIPRevised
	tagPIPExtended
	tagPIPClosed
)

// snapWriter encodes stored data; keySets numbers the interned metric key
// sets (1-based; 0 is nil).
type snapWriter struct {
	wbuf
	keySets map[*[]string]uint64
}

// data writes stored data d. It reports false for a type it does not know,
// which WriteSnapshot turns into an error rather than a lossy file.
func (w *snapWriter) data(d domain.Data) bool {
	switch d := d.(type) {
	case *domain.PersonRegistered:
		w.byte(tagPersonRegistered)
		w.str(d.Name)
		w.str(d.Email)
		w.optStr(d.Title)
		w.optUUID(d.ManagerID)
	case *domain.PersonUpdated:
		w.byte(tagPersonUpdated)
		w.optStr(d.Name)
		w.optStr(d.Email)
		w.optStr(d.Title)
	case *domain.ManagerChanged:
		w.byte(tagManagerChanged)
		w.optUUID(d.ManagerID)
	case *domain.PersonDeparted:
		w.byte(tagPersonDeparted)
		w.date(d.On)
		w.str(d.Reason)
	case *domain.PersonErased:
		w.byte(tagPersonErased)
		w.str(d.Reason)
	case *domain.StandardSet:
		w.byte(tagStandardSet)
		w.str(d.AppliesTo)
		w.date(d.EffectiveFrom)
		w.str(d.Period)
		w.sliceLen(len(d.Targets), d.Targets == nil)
		for _, t := range d.Targets {
			w.str(t.Metric)
			w.f64(t.Target)
			w.str(t.Kind)
			w.optStr(t.Unit)
		}
	case *domain.CadenceSet:
		w.byte(tagCadenceSet)
		w.varint(int64(d.EveryDays))
	case *domain.MetricsSubmitted:
		w.byte(tagMetricsSubmitted)
		w.period(d.Period)
		w.sliceLen(len(d.Values), d.Values == nil)
		for k, v := range d.Values {
			w.str(k)
			w.f64(v)
		}
		w.str(d.Source)
		w.optStr(d.CorrectionReason)
	case *metricsData:
		w.byte(tagMetricsData)
		w.period(d.period.unpack())
		w.uvarint(w.keySets[d.shape.keys])
		for _, v := range d.vals {
			w.f64(v)
		}
		w.str(d.shape.source)
		w.optStr(d.corr)
	case *domain.MeetingHeld:
		w.byte(tagMeetingHeld)
		w.uuid(d.MeetingID)
		w.str(d.Kind)
		w.time(d.HeldAt)
		w.uuid(d.WithID)
		w.bool(d.DurationMinutes != nil)
		if d.DurationMinutes != nil {
			w.varint(int64(*d.DurationMinutes))
		}
		w.optStr(d.Notes)
		w.bool(d.Diagnosis != nil)
		if d.Diagnosis != nil {
			w.str(d.Diagnosis.Primary)
			w.optStr(d.Diagnosis.Note)
		}
	case *domain.MeetingSkipped:
		w.byte(tagMeetingSkipped)
		w.date(d.ScheduledFor)
		w.str(d.Reason)
	case *domain.CommitmentMade:
		w.byte(tagCommitmentMade)
		w.uuid(d.CommitmentID)
		w.str(d.Text)
		w.date(d.DueOn)
		w.optUUID(d.MeetingID)
		w.bool(d.Metric != nil)
		if d.Metric != nil {
			w.str(d.Metric.Key)
			w.f64(d.Metric.Target)
		}
	case *domain.CommitmentFollowedUp:
		w.byte(tagCommitmentFollowedUp)
		w.uuid(d.CommitmentID)
		w.str(d.Note)
		w.optF64(d.Progress)
	case *domain.CommitmentRenegotiated:
		w.byte(tagCommitmentRenegotiated)
		w.uuid(d.CommitmentID)
		w.date(d.NewDueOn)
		w.str(d.Reason)
	case *domain.CommitmentKept:
		w.byte(tagCommitmentKept)
		w.uuid(d.CommitmentID)
		w.optStr(d.Note)
	case *domain.CommitmentMissed:
		w.byte(tagCommitmentMissed)
		w.uuid(d.CommitmentID)
		w.optStr(d.Note)
	case *domain.CommitmentWithdrawn:
		w.byte(tagCommitmentWithdrawn)
		w.uuid(d.CommitmentID)
		w.str(d.Reason)
	case *domain.PIPOpened:
		w.byte(tagPIPOpened)
		w.uuid(d.PIPID)
		w.str(d.Reason)
		w.date(d.StartsOn)
		w.date(d.EndsOn)
		w.varint(int64(d.CheckInEveryDays))
		w.goals(d.Goals)
	case *domain.PIPAcknowledged:
		w.byte(tagPIPAcknowledged)
		w.uuid(d.PIPID)
		w.optStr(d.Comment)
	case *domain.PIPCheckedIn:
		w.byte(tagPIPCheckedIn)
		w.uuid(d.PIPID)
		w.date(d.On)
		w.str(d.Note)
		w.sliceLen(len(d.Goals), d.Goals == nil)
		for _, g := range d.Goals {
			w.uuid(g.GoalID)
			w.str(g.Status)
			w.optStr(g.Note)
		}
	case *domain.PIPRevised:
		w.byte(tagPIPRevised)
		w.uuid(d.PIPID)
		w.goals(d.Goals)
		w.str(d.Reason)
	case *domain.PIPExtended:
		w.byte(tagPIPExtended)
		w.uuid(d.PIPID)
		w.date(d.NewEndsOn)
		w.str(d.Reason)
	case *domain.PIPClosed:
		w.byte(tagPIPClosed)
		w.uuid(d.PIPID)
		w.str(d.Outcome)
		w.str(d.Note)
	default:
		return false
	}
	return true
}

func (w *snapWriter) goals(goals []domain.PIPGoal) {
	w.sliceLen(len(goals), goals == nil)
	for _, g := range goals {
		w.uuid(g.GoalID)
		w.str(g.Text)
		w.optStr(g.Metric)
		w.optF64(g.Target)
	}
}

// snapReader decodes stored data for one goroutine: short enumerations
// (kinds, statuses, sources, metric keys) are interned in the Set through
// strs, as Apply does, with a cache of its own in front.
type snapReader struct {
	rbuf
	strs    *internTable
	local   map[string]string
	keySets []*[]string // 0-based; the file's index is 1-based
	shapes  map[metricsShape]*metricsShape
	slab    floatSlab
}

// enum reads a string that takes few distinct values, interned.
func (r *snapReader) enum() string {
	b := r.raw()
	if v, ok := r.local[string(b)]; ok {
		return v
	}
	v := r.strs.get(b)
	r.local[v] = v
	return v
}

func (r *snapReader) data() domain.Data {
	switch r.byte() {
	case tagPersonRegistered:
		return &domain.PersonRegistered{Name: r.str(), Email: r.str(), Title: r.optStr(), ManagerID: r.optUUID()}
	case tagPersonUpdated:
		return &domain.PersonUpdated{Name: r.optStr(), Email: r.optStr(), Title: r.optStr()}
	case tagManagerChanged:
		return &domain.ManagerChanged{ManagerID: r.optUUID()}
	case tagPersonDeparted:
		return &domain.PersonDeparted{On: r.date(), Reason: r.str()}
	case tagPersonErased:
		return &domain.PersonErased{Reason: r.str()}
	case tagStandardSet:
		d := &domain.StandardSet{AppliesTo: r.enum(), EffectiveFrom: r.date(), Period: r.enum()}
		if n, isNil := r.sliceLen(); !isNil {
			d.Targets = make([]domain.Target, n)
			for k := range d.Targets {
				d.Targets[k] = domain.Target{Metric: r.enum(), Target: r.f64(), Kind: r.enum(), Unit: r.optStr()}
			}
		}
		return d
	case tagCadenceSet:
		return &domain.CadenceSet{EveryDays: int(r.varint())}
	case tagMetricsSubmitted:
		d := &domain.MetricsSubmitted{Period: r.period()}
		if n, isNil := r.sliceLen(); !isNil {
			d.Values = make(map[string]float64, n)
			for range n {
				k := r.enum()
				d.Values[k] = r.f64()
			}
		}
		d.Source, d.CorrectionReason = r.enum(), r.optStr()
		return d
	case tagMetricsData:
		return r.metrics()
	case tagMeetingHeld:
		d := &domain.MeetingHeld{MeetingID: r.uuid(), Kind: r.enum(), HeldAt: r.time(), WithID: r.uuid()}
		if r.bool() {
			v := int(r.varint())
			d.DurationMinutes = &v
		}
		d.Notes = r.optStr()
		if r.bool() {
			d.Diagnosis = &domain.Diagnosis{Primary: r.enum(), Note: r.optStr()}
		}
		return d
	case tagMeetingSkipped:
		return &domain.MeetingSkipped{ScheduledFor: r.date(), Reason: r.str()}
	case tagCommitmentMade:
		d := &domain.CommitmentMade{CommitmentID: r.uuid(), Text: r.str(), DueOn: r.date(), MeetingID: r.optUUID()}
		if r.bool() {
			d.Metric = &domain.CommitmentMetric{Key: r.enum(), Target: r.f64()}
		}
		return d
	case tagCommitmentFollowedUp:
		return &domain.CommitmentFollowedUp{CommitmentID: r.uuid(), Note: r.str(), Progress: r.optF64()}
	case tagCommitmentRenegotiated:
		return &domain.CommitmentRenegotiated{CommitmentID: r.uuid(), NewDueOn: r.date(), Reason: r.str()}
	case tagCommitmentKept:
		return &domain.CommitmentKept{CommitmentID: r.uuid(), Note: r.optStr()}
	case tagCommitmentMissed:
		return &domain.CommitmentMissed{CommitmentID: r.uuid(), Note: r.optStr()}
	case tagCommitmentWithdrawn:
		return &domain.CommitmentWithdrawn{CommitmentID: r.uuid(), Reason: r.str()}
	case tagPIPOpened:
		return &domain.PIPOpened{PIPID: r.uuid(), Reason: r.str(), StartsOn: r.date(), EndsOn: r.date(),
			CheckInEveryDays: int(r.varint()), Goals: r.goals()}
	case tagPIPAcknowledged:
		return &domain.PIPAcknowledged{PIPID: r.uuid(), Comment: r.optStr()}
	case tagPIPCheckedIn:
		d := &domain.PIPCheckedIn{PIPID: r.uuid(), On: r.date(), Note: r.str()}
		if n, isNil := r.sliceLen(); !isNil {
			d.Goals = make([]domain.GoalStatus, n)
			for k := range d.Goals {
				d.Goals[k] = domain.GoalStatus{GoalID: r.uuid(), Status: r.enum(), Note: r.optStr()}
			}
		}
		return d
	case tagPIPRevised:
		return &domain.PIPRevised{PIPID: r.uuid(), Goals: r.goals(), Reason: r.str()}
	case tagPIPExtended:
		return &domain.PIPExtended{PIPID: r.uuid(), NewEndsOn: r.date(), Reason: r.str()}
	case tagPIPClosed:
		return &domain.PIPClosed{PIPID: r.uuid(), Outcome: r.enum(), Note: r.str()}
	}
	r.fail()
	return nil
}

// metrics reads compacted metrics data. A period that does not pack
// cannot come from compactMetrics: the snapshot is corrupt.
func (r *snapReader) metrics() *metricsData {
	period, ok := packPeriod(r.period())
	if !ok {
		r.fail()
	}
	m := &metricsData{period: period}
	var keys *[]string
	if k := r.int(len(r.keySets)); k > 0 {
		keys = r.keySets[k-1]
		m.vals = r.slab.take(len(*keys))
		for i := range m.vals {
			m.vals[i] = r.f64()
		}
	}
	m.shape = shapeOf(r.shapes, keys, r.enum())
	m.corr = r.optStr()
	return m
}

func (r *snapReader) goals() []domain.PIPGoal {
	n, isNil := r.sliceLen()
	if isNil {
		return nil
	}
	out := make([]domain.PIPGoal, n)
	for k := range out {
		out[k] = domain.PIPGoal{GoalID: r.uuid(), Text: r.str(), Metric: r.optStr(), Target: r.optF64()}
	}
	return out
}
