// The checker's rules, each over the whole recorded history of a round (all processes):
//   1. every call returned or threw a kvstore::Error;
//   2. revisions: unique, one per change a successful call made, none for a failed call, whose
//      value is never read; the final change log holds exactly the recorded changes;
//   3. Store reads are linearizable: each sees the last write completed before it started, or a
//      later one that started before it ended;
//   4. subscribers: callbacks and watchers receive revisions in order, contiguous (callbacks of
//      a process that polls) or complete between resumes (watchers), with the written values;
//   5. the LastModifiedStore never goes back behind its process's own writes and reads;
//   6. the tenant never holds more keys than its quota, sampled during the run and at the end;
//   7. the file ends sound (check()), holding every key's last write.
#pragma once

#include "final_state.hpp"
#include "history.hpp"
#include "index.hpp"
#include "violations.hpp"

namespace history {

void check_calls(const History& history, const Index& index, Violations& violations);
void check_reads(const History& history, const Index& index, Violations& violations);
void check_events(const History& history, const Index& index, const FinalState& final,
                  Violations& violations);
void check_layer(const History& history, const Index& index, Violations& violations);
void check_quota(const History& history, const FinalState& final, Violations& violations);
void check_final(const Index& index, const FinalState& final, Violations& violations);

// Every rule.
Violations check_history(const History& history, const FinalState& final);

}  // namespace history
