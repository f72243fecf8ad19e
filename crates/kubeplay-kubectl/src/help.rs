//! Help texts: `kubectl --help`, `kubectl VERB --help`, and the script language's help.
//!
//! Shortened from kubectl's own (same headings and wording) and limited to what the
//! simulator runs, so the help never promises a command that then fails.

/// `kubectl --help`.
pub fn kubectl_help() -> String {
    "kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller

Cluster Management Commands:
  cluster-info    Display cluster information
  top             Display resource (CPU/memory) usage
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod

Advanced Commands:
  apply           Apply a configuration to a resource by file name or stdin
  wait            Experimental: Wait for a specific condition on one or many resources

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource
  set             Set specific features on objects

Other Commands:
  api-resources   Print the supported API resources on the server
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]

Use \"kubectl <command> --help\" for more information about a given command."
        .to_string()
}

/// `kubectl VERB --help` (usage line and the flags we accept).
pub fn verb_help(verb: &str) -> String {
    let usage = match verb {
        "get" => "kubectl get [(-o|--output=)json|yaml|name|wide|custom-columns=...|jsonpath=...] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags] [options]",
        "describe" => "kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [options]",
        "apply" => "kubectl apply (-f FILENAME | -k DIRECTORY) [options]",
        "delete" => "kubectl delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)]) [options]",
        "scale" => "kubectl scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME) [options]",
        "rollout" => "kubectl rollout SUBCOMMAND [options]\n\nAvailable Commands:\n  history       View rollout history\n  pause         Mark the provided resource as paused\n  restart       Restart a resource\n  resume        Resume a paused resource\n  status        Show the status of the rollout\n  undo          Undo a previous rollout",
        "set" => "kubectl set SUBCOMMAND [options]\n\nAvailable Commands:\n  image         Update the image of a pod template",
        "create" => "kubectl create -f FILENAME [options]\n\nAvailable Commands:\n  deployment    Create a deployment with the specified name\n  namespace     Create a namespace with the specified name\n  service       Create a service using a specified subcommand",
        "create service" => "kubectl create service [flags] [options]\n\nAvailable Commands:\n  clusterip      Create a ClusterIP service\n  loadbalancer   Create a LoadBalancer service\n  nodeport       Create a NodePort service",
        "config" => "kubectl config SUBCOMMAND [options]\n\nAvailable Commands:\n  current-context   Display the current-context\n  get-clusters      Display clusters defined in the kubeconfig\n  get-contexts      Describe one or many contexts\n  get-users         Display users defined in the kubeconfig\n  set-context       Set a context entry in kubeconfig\n  use-context       Set the current-context in a kubeconfig file\n  view              Display merged kubeconfig settings or a specified kubeconfig file",
        "top" => "kubectl top [flags] [options]\n\nAvailable Commands:\n  node          Display resource (CPU/memory) usage of nodes\n  pod           Display resource (CPU/memory) usage of pods",
        "logs" => "kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]",
        "wait" => "kubectl wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=create|--for=delete|--for condition=available|--for=jsonpath='{}'[=value]] [options]",
        "expose" => "kubectl expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type] [options]",
        "drain" => "kubectl drain NODE [options]",
        "cordon" => "kubectl cordon NODE [options]",
        "uncordon" => "kubectl uncordon NODE [options]",
        "label" => "kubectl label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]",
        "annotate" => "kubectl annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version] [options]",
        "explain" => "kubectl explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [-o|--output=plaintext|plaintext-openapiv2] [options]",
        _ => "",
    };
    let mut out = String::from("Usage:\n  ");
    out.push_str(if usage.is_empty() {
        "kubectl [flags] [options]"
    } else {
        usage
    });
    if let Some(flags) = crate::command::verb_flags(verb) {
        if !flags.is_empty() {
            out.push_str("\n\nOptions:");
            for f in flags {
                match f.short {
                    Some(c) => out.push_str(&format!("\n    -{c}, --{}", f.long)),
                    None => out.push_str(&format!("\n    --{}", f.long)),
                }
            }
        }
    }
    out.push_str("\n\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).");
    out
}

/// Help for the script language (the `help` line in the terminal, `kubeplay run --help`).
pub fn script_help() -> String {
    "kubeplay script lines:
  kubectl …                      a kubectl command (get, describe, apply, delete, scale, rollout, …)
  sleep 500ms|30s|5m|1h          advance virtual time
  curl URL                       send one HTTP request into the cluster
  sim terminate node/NAME        terminate the instance behind a node (kops replaces it)
  sim stop node/NAME             stop a node's kubelet (undo with: sim start node/NAME)
  sim start node/NAME            start a stopped node's kubelet again
  sim crash pod/NAME             crash a pod's container
  sim load URL --rps N --for D   steady traffic for a while, then a summary
                 [--background]  or let it run as time passes
  sim load --stop [URL]          end background loads early, with their summary
  sim time                       print virtual time
  kops get ig                    list kops instance groups
  kops edit ig NAME --min N --max N
  # comment                      ignored, as are blank lines"
        .to_string()
}
