// The automation rule editor: the rule is edited as one object and posted as JSON. Choices
// (triggers, events, fields per record type, …) are [value, label] pairs read from the page.
document.addEventListener("alpine:init", () => {
  const read = (id) => JSON.parse(document.getElementById(id).textContent);

  Alpine.data("ruleEditor", () => ({
    rule: read("rule-definition"),
    choices: read("rule-choices"),
    definition() { return JSON.stringify(this.rule); },
    // The record type the rule's conditions test.
    target() {
      const t = this.rule.trigger;
      if (t === "event") return (this.rule.event_type || "").split(".").slice(0, 2).join(".");
      if (t === "stage_changed") return "sales.opportunity";
      if (t === "no_follow_up") return "customers.account";
      return this.rule.target;
    },
    fields() { return this.choices.fields[this.target()] || []; },
    targetFields() { return this.choices.fields[this.rule.target] || []; },
    triggerIs(trigger) { return this.rule.trigger === trigger; },
    // Whether an option ([value, label]) is the one a value names (numbers and strings alike).
    picked(option, value) { return String(option[0]) === String(value ?? ""); },
    addCondition() {
      const first = this.fields()[0];
      this.rule.conditions.push({ field: first ? first[0] : "", op: "eq", value: "" });
    },
    removeCondition(index) { this.rule.conditions.splice(index, 1); },
    takesValue(condition) { return condition.op !== "empty" && condition.op !== "not_empty"; },
    addAction() { this.rule.actions.push({ type: "notify", to: "owner", message: "" }); },
    removeAction(index) { this.rule.actions.splice(index, 1); },
    isAction(action, ...types) { return types.includes(action.type); },
    hasRecipient(action) { return this.isAction(action, "notify", "create_task"); },
    // A task goes to a person; a notification may also go to everyone with a role.
    recipients(action) {
      return this.choices.recipients.filter((r) => action.type === "notify" || r[0] !== "role");
    },
    needsUser(action) {
      return action.type === "assign_owner" || (this.hasRecipient(action) && action.to === "user");
    },
    needsRole(action) { return action.type === "notify" && action.to === "role"; },
    recipientDefaults(action) { action.to = action.to || "owner"; },
    taskDefaults(action) {
      action.priority = action.priority || "normal";
      action.due_in_days = action.due_in_days ?? 1;
    },
  }));
});
