package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/bot"
	"github.com/serialguard/serialguard/internal/awsfake"
)

// runtimeAPI is the Lambda Runtime API as aws-lambda-go's client uses
// it: each GET of the next invocation takes one payload from next, and
// each response or error posted is sent on done.
type runtimeAPI struct {
	next chan []byte
	done chan runtimeReply
	ids  atomic.Int64
}

// runtimeReply is the function's answer to one invocation.
type runtimeReply struct {
	kind string // "response" or "error"
	body string
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const base = "/2018-06-01/runtime/"
	path, _ := strings.CutPrefix(r.URL.Path, base)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		a.serveNext(w, r)
	case r.Method == http.MethodPost:
		body, _ := io.ReadAll(r.Body)
		a.done <- runtimeReply{kind: path[strings.LastIndex(path, "/")+1:],
			body: strings.TrimSpace(string(body))}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

func (a *runtimeAPI) serveNext(w http.ResponseWriter, r *http.Request) {
	select {
	case payload := <-a.next:
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id",
			"req-"+strconv.FormatInt(a.ids.Add(1), 10))
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(
			time.Now().Add(time.Minute).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn",
			"arn:aws:lambda:us-east-1:100000000000:function:serialguard")
		w.Write(payload)
	case <-r.Context().Done():
	}
}

// lambdaFunction is the test binary running main as a Lambda function.
type lambdaFunction struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer // complete once exited is closed
	exited         chan struct{}
}

// startLambda starts the function with env, against the Runtime API at
// api. The test's cleanup stops it.
func startLambda(t *testing.T, api string,
	env map[string]string) *lambdaFunction {
	t.Helper()
	fn := &lambdaFunction{exited: make(chan struct{})}
	fn.cmd = exec.Command(os.Args[0], "-test.run=^$")
	fn.cmd.Env = []string{runMainEnv + "=1", "AWS_LAMBDA_RUNTIME_API=" + api}
	for k, v := range env {
		fn.cmd.Env = append(fn.cmd.Env, k+"="+v)
	}
	fn.cmd.Stdout, fn.cmd.Stderr = &fn.stdout, &fn.stderr
	if err := fn.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		fn.cmd.Wait()
		close(fn.exited)
	}()
	t.Cleanup(fn.stop)
	return fn
}

// stop ends the function: its runtime loop ends only with the process.
func (fn *lambdaFunction) stop() {
	fn.cmd.Process.Kill()
	<-fn.exited
}

// invoke passes payload to the function through api and returns its
// reply.
func (fn *lambdaFunction) invoke(t *testing.T, api *runtimeAPI,
	payload []byte) runtimeReply {
	t.Helper()
	select {
	case api.next <- payload:
	case <-fn.exited:
		t.Fatalf("the function exited:\n%s", &fn.stderr)
	}
	select {
	case r := <-api.done:
		return r
	case <-fn.exited:
		t.Fatalf("the function exited:\n%s", &fn.stderr)
	}
	return runtimeReply{}
}

// TestLambdaRuntime runs the binary as Lambda runs it: configured by
// the environment, serving the Runtime API's invocations of the three
// payload kinds, an EventBridge event, an SQS batch and the scheduled
// sweep, against AWS, and failing an unknown request.
func TestLambdaRuntime(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(2, 1)))
	for _, id := range []string{"111122223333", "123456789012"} {
		srv.AddAccount(awsfake.Account{ID: id, Name: "member " + id,
			Status: "ACTIVE", ParentID: srv.RootID()})
	}
	srv.SetSerialConsole("111122223333", "eu-west-1", true)
	srv.SetSerialConsole("123456789012", "ap-southeast-2", true)
	srv.SetSerialConsole("100000000001", "eu-west-1", true)
	api := &runtimeAPI{next: make(chan []byte), done: make(chan runtimeReply)}
	runtime := httptest.NewServer(api)
	t.Cleanup(runtime.Close)
	dir := t.TempDir()
	fn := startLambda(t, strings.TrimPrefix(runtime.URL, "http://"),
		map[string]string{
			"AWS_ENDPOINT_URL":            srv.URL(),
			"AWS_ACCESS_KEY_ID":           awsfake.ManagementAccessKeyID,
			"AWS_SECRET_ACCESS_KEY":       awsfake.ManagementSecretAccessKey,
			"AWS_REGION":                  "us-east-1",
			"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
			"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
			"AWS_EC2_METADATA_DISABLED":   "true",
			"SERIALGUARD_REGIONS":         "eu-west-1,ap-southeast-2",
			"SERIALGUARD_LOG_LEVEL":       "debug",
		})

	replies := []runtimeReply{
		fn.invoke(t, api, []byte(readExampleFile(t,
			"eventbridge-enablement.json"))),
		fn.invoke(t, api, sqsBatchWithBadMessage(t)),
		fn.invoke(t, api, []byte(bot.SweepPayload)),
		fn.invoke(t, api, []byte(`{"serialguard":"reboot"}`)),
	}
	fn.stop()

	checkLambdaReplies(t, replies, len(srv.Accounts()))
	for _, pair := range [][2]string{{"111122223333", "eu-west-1"},
		{"123456789012", "ap-southeast-2"}, {"100000000001", "eu-west-1"}} {
		if on, _ := srv.SerialConsole(pair[0], pair[1]); on {
			t.Errorf("%s/%s: access still enabled", pair[0], pair[1])
		}
	}
	checkLambdaOutput(t, fn)
}

// sqsBatchWithBadMessage is the example SQS batch with a second message
// that holds no event.
func sqsBatchWithBadMessage(t *testing.T) []byte {
	t.Helper()
	var batch events.SQSEvent
	err := json.Unmarshal([]byte(readExampleFile(t, "sqs-lambda-event.json")),
		&batch)
	if err != nil {
		t.Fatal(err)
	}
	bad := batch.Records[0]
	bad.MessageId, bad.Body = "m-bad", "not an event"
	batch.Records = append(batch.Records, bad)
	data, err := json.Marshal(batch)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkLambdaReplies checks the responses to the three invocations.
func checkLambdaReplies(t *testing.T, replies []runtimeReply, accounts int) {
	t.Helper()
	var sweep bot.SweepSummary
	if err := json.Unmarshal([]byte(replies[2].body), &sweep); err != nil {
		t.Fatalf("sweep response %q: %v", replies[2].body, err)
	}
	replies[2].body = ""
	if strings.Contains(replies[3].body, `unknown request \"reboot\"`) {
		replies[3].body = "names the request"
	}
	want := []runtimeReply{
		{"response", `{"findings":1,"needs_action":1,"errors":0}`},
		{"response", `{"batchItemFailures":[{"itemIdentifier":"m-bad"}]}`},
		{"response", ""},
		{"error", "names the request"},
	}
	if diff := cmp.Diff(want, replies,
		cmp.AllowUnexported(runtimeReply{})); diff != "" {
		t.Errorf("responses (-want +got):\n%s", diff)
	}
	wantSweep := bot.SweepSummary{Accounts: accounts, Pairs: 2 * accounts,
		Checked: 2 * accounts, Enabled: 1, Remediated: 1}
	if diff := cmp.Diff(wantSweep, sweep); diff != "" {
		t.Errorf("sweep summary (-want +got):\n%s", diff)
	}
}

// checkLambdaOutput checks what the function printed: one audit record
// per finding on stdout, in the order handled, and JSON logs on stderr.
func checkLambdaOutput(t *testing.T, fn *lambdaFunction) {
	t.Helper()
	var got []string
	for line := range strings.Lines(fn.stdout.String()) {
		var r bot.Result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("stdout line %q: %v", line, err)
		}
		got = append(got, fmt.Sprintf("%s %s/%s %s %s", r.Kind, r.Account,
			r.Region, r.Decision.Action, stepsCell(r.Steps())))
	}
	done := "AssumeRole:done,GetSerialConsoleAccessStatus:done," +
		"DisableSerialConsoleAccess:done"
	want := []string{
		"enablement 111122223333/eu-west-1 remediate " + done,
		"enablement 123456789012/ap-southeast-2 remediate " + done,
		"enabled_state 100000000001/eu-west-1 remediate " + done,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit records on stdout (-want +got):\n%s", diff)
	}
	for line := range strings.Lines(fn.stderr.String()) {
		if !json.Valid([]byte(line)) {
			t.Errorf("log line is not JSON: %s", line)
		}
	}
}
