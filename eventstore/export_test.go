package eventstore

// SetGroupCommitMinBatch lets a test batch groups as small as n (n >= 2),
// so that a few journals are enough to exercise the batch path.
func SetGroupCommitMinBatch(s *Store, n int) { s.gc.minBatch = n }
