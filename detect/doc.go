// Package detect reads CloudTrail events in every shape they reach
// serialguard and applies its rules to them.
//
// Events decodes one input, whatever its shape: a bare record, a log file
// as CloudTrail delivers it to S3 (plain or gzip), a JSON array, NDJSON,
// an EventBridge event, an SQS message or SNS notification wrapping one,
// or an Elastic (ECS) document. The shape is read from the content, never
// from a file name, and large inputs are streamed record by record, so a
// log file of any size is never held in memory whole.
//
// Detect applies the rules. The enablement rule is Elastic's prebuilt rule
// "AWS EC2 Serial Console Access Enabled", defined here by its published
// KQL query evaluated over the record's ECS view (see ECS). The other
// rules report refused attempts, use of the serial console and its
// disablement.
//
// Scan is the fast path for bulk scans: inputs are decoded in parallel and
// records that no rule can match are skipped without being decoded.
//
// The package imports no AWS SDK: it works on bytes and files only.
package detect
