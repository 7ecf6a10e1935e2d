package main

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections/snapshot"
	"github.com/google/uuid"
)

// diskFindings is what someone holding the master key recovers about one
// person from the raw files of a data dir.
type diskFindings struct {
	keys   int      // the person's data keys that unwrap under the master key
	fields int      // the person's encrypted fields that open under one of them
	texts  []string // "where: secret" for each secret seen in clear
}

func (f diskFindings) empty() bool { return f.keys == 0 && f.fields == 0 && len(f.texts) == 0 }

// readDisk reads every file under dataDir as an attacker would, with the
// master key in hand: every 80-character base64 window (a wrapped data
// key is base64 of a 12-byte nonce, 32 key bytes and a 16-byte tag, with
// the person's id as AAD) is tried as a wrapped key of the person, every
// "enc:v1:" field is opened with every key found, and every file is
// searched for the secrets, snapshots after decrypting them with the key
// the master key yields.
func readDisk(t *testing.T, dataDir string, person uuid.UUID, secrets []string) diskFindings {
	t.Helper()
	hexKey, err := os.ReadFile(filepath.Join(dataDir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	master := aeadOf(t, mustHex(t, strings.TrimSpace(string(hexKey))))
	snapKey, err := eventstore.SnapshotKeyOf(eventstore.Config{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	var f diskFindings
	var files [][]byte
	err = filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files = append(files, b)
		rel, _ := filepath.Rel(dataDir, path)
		f.texts = append(f.texts, secretsIn(rel, b, secrets)...)
		if filepath.Dir(path) == snapshot.Dir(dataDir) {
			if r, err := snapshot.Open(bytes.NewReader(b), snapKey); err == nil {
				clear, _ := io.ReadAll(r)
				f.texts = append(f.texts, secretsIn(rel+" (decrypted)", clear, secrets)...)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var deks []cipher.AEAD
	for _, b := range files {
		for _, run := range base64Runs(b, 80) {
			for i := 0; i+80 <= len(run); i++ {
				if dek, err := openB64(master, person, run[i:i+80]); err == nil && len(dek) == 32 {
					deks = append(deks, aeadOf(t, dek))
				}
			}
		}
	}
	f.keys = len(deks)
	for _, b := range files {
		for rest := b; ; {
			i := bytes.Index(rest, []byte("enc:v1:"))
			if i < 0 {
				break
			}
			rest = rest[i+len("enc:v1:"):]
			n := 0
			for n < len(rest) && isBase64(rest[n]) {
				n++
			}
			field := rest[:n]
			for _, dek := range deks {
				if _, err := openB64(dek, person, field); err == nil {
					f.fields++
					break
				}
			}
		}
	}
	return f
}

func secretsIn(where string, b []byte, secrets []string) []string {
	var out []string
	for _, s := range secrets {
		if bytes.Contains(b, []byte(s)) {
			out = append(out, where+": "+s)
		}
	}
	return out
}

// base64Runs returns the maximal runs of base64 characters in b that are
// at least min long.
func base64Runs(b []byte, min int) [][]byte {
	var out [][]byte
	start := 0
	for i := 0; i <= len(b); i++ {
		if i < len(b) && isBase64(b[i]) {
			continue
		}
		if i-start >= min {
			out = append(out, b[start:i])
		}
		start = i + 1
	}
	return out
}

func isBase64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}

// openB64 opens base64(nonce || AES-GCM sealed) with the person's id as AAD.
func openB64(a cipher.AEAD, person uuid.UUID, text []byte) ([]byte, error) {
	b := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
	n, err := base64.StdEncoding.Decode(b, text)
	if err != nil {
		return nil, err
	}
	if b = b[:n]; len(b) < a.NonceSize()+a.Overhead() {
		return nil, io.ErrUnexpectedEOF
	}
	return a.Open(nil, b[:a.NonceSize()], b[a.NonceSize():], person[:])
}

func aeadOf(t *testing.T, key []byte) cipher.AEAD {
	t.Helper()
	b, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
