variable "target_ids" {
  description = "Organisation root, OU or account ids to attach the resource control policy to. Empty: the policy is created but applies nowhere yet."
  type        = list(string)
  default     = []
}
