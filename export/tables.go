package export

import (
	"bufio"
	"encoding/csv"
	"io"

	"github.com/parquet-go/parquet-go"
)

// table writes rows of one type to one file.
type table[T interface{ csv() []string }] interface {
	write(r T) error
	close() error
}

func newTable[T interface{ csv() []string }](format string, w io.Writer, header []string) table[T] {
	if format == CSV {
		return newCSVTable[T](w, header)
	}
	return newParquetTable[T](w)
}

// csvTable writes a header, then one line a row.
type csvTable[T interface{ csv() []string }] struct {
	bw      *bufio.Writer
	w       *csv.Writer
	header  []string
	started bool
}

func newCSVTable[T interface{ csv() []string }](w io.Writer, header []string) *csvTable[T] {
	bw := bufio.NewWriterSize(w, 1<<16)
	return &csvTable[T]{bw: bw, w: csv.NewWriter(bw), header: header}
}

func (t *csvTable[T]) write(r T) error {
	if !t.started {
		t.started = true
		if err := t.w.Write(t.header); err != nil {
			return err
		}
	}
	return t.w.Write(r.csv())
}

func (t *csvTable[T]) close() error {
	if !t.started {
		t.started = true
		_ = t.w.Write(t.header)
	}
	t.w.Flush()
	if err := t.w.Error(); err != nil {
		return err
	}
	return t.bw.Flush()
}

// ParquetRowGroup bounds the rows the Parquet writer holds before it writes
// a row group, and so its memory.
const ParquetRowGroup = 64 * 1024

// parquetTable writes typed rows in batches, one row group every
// ParquetRowGroup rows.
type parquetTable[T any] struct {
	w   *parquet.GenericWriter[T]
	buf []T
}

func newParquetTable[T interface{ csv() []string }](w io.Writer) *parquetTable[T] {
	pw := parquet.NewGenericWriter[T](w, parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(ParquetRowGroup))
	return &parquetTable[T]{w: pw, buf: make([]T, 0, 1024)}
}

func (t *parquetTable[T]) write(r T) error {
	t.buf = append(t.buf, r)
	if len(t.buf) < cap(t.buf) {
		return nil
	}
	return t.flush()
}

func (t *parquetTable[T]) flush() error {
	_, err := t.w.Write(t.buf)
	clear(t.buf)
	t.buf = t.buf[:0]
	return err
}

func (t *parquetTable[T]) close() error {
	if err := t.flush(); err != nil {
		return err
	}
	return t.w.Close()
}
