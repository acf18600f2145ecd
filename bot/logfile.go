package bot

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
)

// resultLog appends every result as one JSON line: the audit trail of a
// long-running bot. Writes are serialized so that lines never interleave.
type resultLog struct {
	mu   sync.Mutex
	w    io.Writer
	file *os.File // nil when w is not ours to close
	name string
}

// openResultLog opens the log named by the audit_log key: a file to
// append to, "-" for stdout, or empty for none (nil).
func openResultLog(name string, stdout io.Writer) (*resultLog, error) {
	switch name {
	case "":
		return nil, nil
	case "-":
		return &resultLog{w: stdout, name: "stdout"}, nil
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	return &resultLog{w: f, file: f, name: name}, nil
}

// write appends res. A nil log writes nothing.
func (l *resultLog) write(res *Result) error {
	if l == nil {
		return nil
	}
	line, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("audit log %s: encode result: %w", l.name, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.w.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("audit log %s: %w", l.name, err)
	}
	return nil
}

func (l *resultLog) close() error {
	if l == nil || l.file == nil {
		return nil
	}
	if err := l.file.Close(); err != nil {
		return fmt.Errorf("close audit log %s: %w", l.name, err)
	}
	return nil
}
