package main

import (
	"io"

	"github.com/schollz/progressbar/v3"

	"github.com/serialguard/serialguard/bot"
)

// newProgressBar draws a count of what is done on stderr, with a
// prediction of the time left; its maximum grows as work is found.
func newProgressBar(stderr io.Writer, what string) *progressbar.ProgressBar {
	return progressbar.NewOptions(0,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	)
}

// progress draws a progress bar on stderr: of an S3 backfill, as a
// bot.Progress, or of a sweep. A nil *progress draws nothing.
type progress struct{ bar *progressbar.ProgressBar }

var _ bot.Progress = (*progress)(nil)

func newProgress(show bool, stderr io.Writer, what string) *progress {
	if !show {
		return nil
	}
	return &progress{bar: newProgressBar(stderr, what)}
}

// Found adds n files or pairs to the work.
func (p *progress) Found(n int) {
	if p != nil {
		p.bar.AddMax(n)
	}
}

// Read counts one file read or pair checked.
func (p *progress) Read() {
	if p != nil {
		_ = p.bar.Add(1)
	}
}

func (p *progress) finish() {
	if p != nil {
		_ = p.bar.Finish()
	}
}

// newAuditProgress draws the progress of a sweep, hooked into opts,
// when show is true.
func newAuditProgress(show bool, stderr io.Writer,
	opts *bot.SweepOptions) *progress {
	p := newProgress(show, stderr, "audit")
	if p != nil {
		opts.Planned = p.Found
		opts.Visited = func(bot.SweepPair) { p.Read() }
	}
	return p
}
