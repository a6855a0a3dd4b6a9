//! The generators: one function per kind of AWS change, each giving the CLI command(s),
//! the CloudFormation and Terraform snippets and, for policies, the document. Values
//! are already [`safe`](super::facts::safe) or placeholders, so they are written as is;
//! a policy document is built with serde_json, never by pasting strings into JSON.

use serde_json::{Value, json};

use super::{Remedy, RemedyKind};

/// `value`, or the placeholder when it is unknown.
pub fn or(value: &Option<String>, placeholder: &str) -> String {
    value.clone().unwrap_or_else(|| placeholder.to_string())
}

/// A logical id / resource name from a service: `ecr.api` → `EcrApi` / `ecr_api`.
fn camel(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn snake(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// A JSON document in single quotes for a POSIX shell (the JSON itself holds only safe
/// values, but a `'` is still escaped so the line stays one argument).
fn sq(json: &str) -> String {
    format!("'{}'", json.replace('\'', r"'\''"))
}

/// `text` indented by `n` spaces on every line.
fn indent(text: &str, n: usize) -> String {
    text.lines()
        .map(|l| format!("{:n$}{l}", ""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// An interface endpoint for `com.amazonaws.<region>.<service>` with private DNS.
pub fn interface_endpoint(region: &str, service: &str) -> Vec<Remedy> {
    let name = format!("com.amazonaws.{region}.{service}");
    let (id, tf) = (camel(service), snake(service));
    vec![
        Remedy::new(
            RemedyKind::Cli,
            "create the interface endpoint with private DNS",
            format!(
                "aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --service-name {name} --private-dns-enabled --vpc-id <vpc-id> --subnet-ids <subnet-ids> --security-group-ids <endpoint-sg-id> --region {region}"
            ),
        ),
        Remedy::new(
            RemedyKind::Cli,
            "or, when the endpoint exists with private DNS off, turn it on",
            format!(
                "aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpc-endpoint-id> --private-dns-enabled --region {region}"
            ),
        ),
        Remedy::new(
            RemedyKind::Cloudformation,
            "the interface endpoint",
            format!(
                "{id}Endpoint:\n  Type: AWS::EC2::VPCEndpoint\n  Properties:\n    VpcEndpointType: Interface\n    ServiceName: {name}\n    PrivateDnsEnabled: true\n    VpcId: <vpc-id>\n    SubnetIds:\n      - <subnet-ids>\n    SecurityGroupIds:\n      - <endpoint-sg-id>"
            ),
        ),
        Remedy::new(
            RemedyKind::Terraform,
            "the interface endpoint",
            format!(
                "resource \"aws_vpc_endpoint\" \"{tf}\" {{\n  vpc_id              = \"<vpc-id>\"\n  service_name        = \"{name}\"\n  vpc_endpoint_type   = \"Interface\"\n  private_dns_enabled = true\n  subnet_ids          = [\"<subnet-ids>\"]\n  security_group_ids  = [\"<endpoint-sg-id>\"]\n}}"
            ),
        ),
    ]
}

/// Private DNS on an existing interface endpoint (the dkr endpoint needs it).
pub fn private_dns_on(region: &str, service: &str) -> Vec<Remedy> {
    let mut v = interface_endpoint(region, service);
    // The endpoint exists: turning private DNS on is the first thing to run.
    v.swap(0, 1);
    v[0].title = "turn private DNS on for the existing endpoint".to_string();
    v[1].title = "or create the interface endpoint with private DNS".to_string();
    v
}

/// An S3 gateway endpoint associated with the subnet's route table.
pub fn s3_gateway(region: &str) -> Vec<Remedy> {
    let name = format!("com.amazonaws.{region}.s3");
    vec![
        Remedy::new(
            RemedyKind::Cli,
            "create the S3 gateway endpoint on the task subnet's route table",
            format!(
                "aws ec2 create-vpc-endpoint --vpc-endpoint-type Gateway --service-name {name} --vpc-id <vpc-id> --route-table-ids <route-table-id> --region {region}"
            ),
        ),
        Remedy::new(
            RemedyKind::Cli,
            "or, when the gateway endpoint exists, add the subnet's route table to it",
            format!(
                "aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpc-endpoint-id> --add-route-table-ids <route-table-id> --region {region}"
            ),
        ),
        Remedy::new(
            RemedyKind::Cloudformation,
            "the S3 gateway endpoint",
            format!(
                "S3GatewayEndpoint:\n  Type: AWS::EC2::VPCEndpoint\n  Properties:\n    VpcEndpointType: Gateway\n    ServiceName: {name}\n    VpcId: <vpc-id>\n    RouteTableIds:\n      - <route-table-id>"
            ),
        ),
        Remedy::new(
            RemedyKind::Terraform,
            "the S3 gateway endpoint",
            format!(
                "resource \"aws_vpc_endpoint\" \"s3\" {{\n  vpc_id            = \"<vpc-id>\"\n  service_name      = \"{name}\"\n  vpc_endpoint_type = \"Gateway\"\n  route_table_ids   = [\"<route-table-id>\"]\n}}"
            ),
        ),
    ]
}

/// Inbound TCP `port` on the endpoint's security group, from the subnet's CIDR when
/// known, else from the task's security group.
pub fn sg_ingress(region: &str, port: u16, cidr: Option<&str>) -> Vec<Remedy> {
    let (cli_from, cfn_from, tf_from) = match cidr {
        Some(c) => (
            format!("--cidr {c}"),
            format!("CidrIp: {c}"),
            format!("cidr_ipv4         = \"{c}\""),
        ),
        None => (
            "--source-group <task-sg-id>".to_string(),
            "SourceSecurityGroupId: <task-sg-id>".to_string(),
            "referenced_security_group_id = \"<task-sg-id>\"".to_string(),
        ),
    };
    vec![
        Remedy::new(
            RemedyKind::Cli,
            "allow the task into the endpoint's security group",
            format!(
                "aws ec2 authorize-security-group-ingress --group-id <endpoint-sg-id> --protocol tcp --port {port} {cli_from} --region {region}"
            ),
        ),
        Remedy::new(
            RemedyKind::Cloudformation,
            "the ingress rule",
            format!(
                "EndpointIngressFromTask:\n  Type: AWS::EC2::SecurityGroupIngress\n  Properties:\n    GroupId: <endpoint-sg-id>\n    IpProtocol: tcp\n    FromPort: {port}\n    ToPort: {port}\n    {cfn_from}"
            ),
        ),
        Remedy::new(
            RemedyKind::Terraform,
            "the ingress rule",
            format!(
                "resource \"aws_vpc_security_group_ingress_rule\" \"endpoint_from_task\" {{\n  security_group_id = \"<endpoint-sg-id>\"\n  ip_protocol       = \"tcp\"\n  from_port         = {port}\n  to_port           = {port}\n  {tf_from}\n}}"
            ),
        ),
    ]
}

fn actions_value(actions: &[String]) -> Value {
    match actions {
        [one] => json!(one),
        many => json!(many),
    }
}

/// A VPC endpoint policy allowing `actions` on `resource` for `principal` (an ARN, or
/// `*` for S3's starport bucket, whose URLs ECR presigns).
pub fn endpoint_policy(
    region: &str,
    service: &str,
    principal: &str,
    actions: &[String],
    resource: &str,
) -> Vec<Remedy> {
    let principal = if principal == "*" {
        json!("*")
    } else {
        json!({ "AWS": principal })
    };
    let doc = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowPullPath",
            "Effect": "Allow",
            "Principal": principal,
            "Action": actions_value(actions),
            "Resource": resource,
        }]
    });
    let id = camel(service);
    let tf = snake(service);
    vec![
        Remedy::new(
            RemedyKind::Policy,
            "the endpoint policy (it replaces the current one: merge its other statements in)",
            pretty(&doc),
        ),
        Remedy::new(
            RemedyKind::Cli,
            "set it on the endpoint",
            format!(
                "aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpc-endpoint-id> --policy-document {} --region {region}",
                sq(&compact(&doc))
            ),
        ),
        Remedy::new(
            RemedyKind::Cloudformation,
            "the endpoint with this policy",
            format!(
                "{id}Endpoint:\n  Type: AWS::EC2::VPCEndpoint\n  Properties:\n    ServiceName: com.amazonaws.{region}.{service}\n    VpcId: <vpc-id>\n    PolicyDocument:\n{}",
                indent(&pretty(&doc), 6)
            ),
        ),
        Remedy::new(
            RemedyKind::Terraform,
            "the endpoint's policy",
            format!(
                "resource \"aws_vpc_endpoint_policy\" \"{tf}\" {{\n  vpc_endpoint_id = \"<vpc-endpoint-id>\"\n  policy          = <<-EOT\n{}\n  EOT\n}}",
                indent(&pretty(&doc), 4)
            ),
        ),
    ]
}

/// An inline policy for the role allowing `actions` on `resource`.
/// An identity policy (no Principal) allowing `actions` on `resource`.
fn allow(actions: &[String], resource: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": actions_value(actions),
            "Resource": resource,
        }]
    })
}

pub fn role_policy(role_name: &str, actions: &[String], resource: &str) -> Vec<Remedy> {
    let doc = allow(actions, resource);
    vec![
        Remedy::new(RemedyKind::Policy, "the role's inline policy", pretty(&doc)),
        Remedy::new(
            RemedyKind::Cli,
            "put it on the role",
            format!(
                "aws iam put-role-policy --role-name {role_name} --policy-name vpce-probe-remedy --policy-document {}",
                sq(&compact(&doc))
            ),
        ),
        Remedy::new(
            RemedyKind::Cloudformation,
            "the inline policy",
            format!(
                "VpceProbeRemedyPolicy:\n  Type: AWS::IAM::RolePolicy\n  Properties:\n    RoleName: {role_name}\n    PolicyName: vpce-probe-remedy\n    PolicyDocument:\n{}",
                indent(&pretty(&doc), 6)
            ),
        ),
        Remedy::new(
            RemedyKind::Terraform,
            "the inline policy",
            format!(
                "resource \"aws_iam_role_policy\" \"vpce_probe_remedy\" {{\n  name   = \"vpce-probe-remedy\"\n  role   = \"{role_name}\"\n  policy = <<-EOT\n{}\n  EOT\n}}",
                indent(&pretty(&doc), 4)
            ),
        ),
    ]
}

/// The AWS managed policy ECS task execution roles use, attached.
pub fn attach_execution_policy(role_name: &str) -> Vec<Remedy> {
    vec![attach_managed_policy(
        role_name,
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        "or attach the AWS managed execution-role policy",
    )]
}

/// An AWS managed policy attached to a role, as the CLI does it.
fn attach_managed_policy(role_name: &str, arn: &str, title: &str) -> Remedy {
    Remedy::new(
        RemedyKind::Cli,
        title,
        format!("aws iam attach-role-policy --role-name {role_name} --policy-arn {arn}"),
    )
}

/// The ECS infrastructure role that ECS-managed EBS volumes use: ECS may assume it, and
/// it carries the AWS managed policy for volumes.
pub fn infrastructure_role(role_name: &str) -> Vec<Remedy> {
    let trust = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "ecs.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }],
    });
    let arn = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes";
    vec![
        Remedy::new(
            RemedyKind::Cli,
            "let ECS assume the infrastructure role",
            format!(
                "aws iam update-assume-role-policy --role-name {role_name} --policy-document {}",
                sq(&compact(&trust))
            ),
        ),
        attach_managed_policy(
            role_name,
            arn,
            "attach the AWS managed policy for EBS volumes",
        ),
        Remedy::new(
            RemedyKind::Cloudformation,
            "the infrastructure role",
            format!(
                "EcsInfrastructureRole:\n  Type: AWS::IAM::Role\n  Properties:\n    RoleName: {role_name}\n    AssumeRolePolicyDocument:\n{}\n    ManagedPolicyArns:\n      - {arn}",
                indent(&pretty(&trust), 6)
            ),
        ),
        Remedy::new(
            RemedyKind::Terraform,
            "the infrastructure role",
            format!(
                "resource \"aws_iam_role\" \"ecs_infrastructure\" {{\n  name               = \"{role_name}\"\n  assume_role_policy = <<-EOT\n{}\n  EOT\n}}\n\nresource \"aws_iam_role_policy_attachment\" \"ecs_infrastructure_volumes\" {{\n  role       = aws_iam_role.ecs_infrastructure.name\n  policy_arn = \"{arn}\"\n}}",
                indent(&pretty(&trust), 4)
            ),
        ),
    ]
}

/// A new default version of the permissions boundary's managed policy.
pub fn boundary(actions: &[String], resource: &str) -> Vec<Remedy> {
    let doc = allow(actions, resource);
    vec![
        Remedy::new(
            RemedyKind::Policy,
            "the statement the boundary must also allow (merge it into the boundary's current document)",
            pretty(&doc),
        ),
        Remedy::new(
            RemedyKind::Cli,
            "publish the merged document as the boundary's default version",
            format!(
                "aws iam create-policy-version --policy-arn <boundary-policy-arn> --set-as-default --policy-document {}",
                sq(&compact(&doc))
            ),
        ),
        Remedy::new(
            RemedyKind::Cloudformation,
            "the boundary policy",
            format!(
                "PermissionsBoundary:\n  Type: AWS::IAM::ManagedPolicy\n  Properties:\n    PolicyDocument:\n{}",
                indent(&pretty(&doc), 6)
            ),
        ),
        Remedy::new(
            RemedyKind::Terraform,
            "the boundary policy",
            format!(
                "resource \"aws_iam_policy\" \"boundary\" {{\n  name   = \"<boundary-policy-name>\"\n  policy = <<-EOT\n{}\n  EOT\n}}",
                indent(&pretty(&doc), 4)
            ),
        ),
    ]
}

/// An ECR repository policy letting `principal` pull.
pub fn repository_policy(region: &str, repository: &str, principal: &str) -> Vec<Remedy> {
    let doc = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowPull",
            "Effect": "Allow",
            "Principal": { "AWS": principal },
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        }]
    });
    vec![
        Remedy::new(
            RemedyKind::Policy,
            "the repository policy (it replaces the current one: merge its other statements in)",
            pretty(&doc),
        ),
        Remedy::new(
            RemedyKind::Cli,
            "set it on the repository",
            format!(
                "aws ecr set-repository-policy --repository-name {repository} --policy-text {} --region {region}",
                sq(&compact(&doc))
            ),
        ),
        Remedy::new(
            RemedyKind::Cloudformation,
            "the repository with this policy",
            format!(
                "Repository:\n  Type: AWS::ECR::Repository\n  Properties:\n    RepositoryName: {repository}\n    RepositoryPolicyText:\n{}",
                indent(&pretty(&doc), 6)
            ),
        ),
        Remedy::new(
            RemedyKind::Terraform,
            "the repository policy",
            format!(
                "resource \"aws_ecr_repository_policy\" \"pull\" {{\n  repository = \"{repository}\"\n  policy     = <<-EOT\n{}\n  EOT\n}}",
                indent(&pretty(&doc), 4)
            ),
        ),
    ]
}

/// ECR replication of the registry into the task's region.
pub fn replication(image_region: &str, task_region: &str, account: &str) -> Vec<Remedy> {
    let conf =
        json!({"rules": [{"destinations": [{"region": task_region, "registryId": account}]}]});
    vec![
        Remedy::new(
            RemedyKind::Cli,
            "replicate the registry into the task's region (then pull from there)",
            format!(
                "aws ecr put-replication-configuration --replication-configuration {} --region {image_region}",
                sq(&compact(&conf))
            ),
        ),
        Remedy::new(
            RemedyKind::Cloudformation,
            "the replication rule (in the image's region)",
            format!(
                "Replication:\n  Type: AWS::ECR::ReplicationConfiguration\n  Properties:\n    ReplicationConfiguration:\n      Rules:\n        - Destinations:\n            - Region: {task_region}\n              RegistryId: \"{account}\""
            ),
        ),
        Remedy::new(
            RemedyKind::Terraform,
            "the replication rule (provider in the image's region)",
            format!(
                "resource \"aws_ecr_replication_configuration\" \"to_task_region\" {{\n  replication_configuration {{\n    rule {{\n      destination {{\n        region      = \"{task_region}\"\n        registry_id = \"{account}\"\n      }}\n    }}\n  }}\n}}"
            ),
        ),
    ]
}

/// A pull-through cache rule in `region` for `upstream` (a registry host).
pub fn pull_through_cache(region: &str, upstream: &str, prefix: &str) -> Vec<Remedy> {
    // Docker Hub, GitHub, GitLab and Azure need credentials in Secrets Manager; ECR
    // Public, Quay, registry.k8s.io do not.
    let needs_secret = !matches!(upstream, "public.ecr.aws" | "quay.io" | "registry.k8s.io")
        && !upstream.starts_with('<');
    let (cli_cred, cfn_cred, tf_cred) = if needs_secret {
        (
            " --credential-arn <ptc-credential-secret-arn>",
            "\n    CredentialArn: <ptc-credential-secret-arn>",
            "\n  credential_arn        = \"<ptc-credential-secret-arn>\"",
        )
    } else {
        ("", "", "")
    };
    vec![
        Remedy::new(
            RemedyKind::Cli,
            "create the pull-through cache rule (the first pull of each image needs a NAT)",
            format!(
                "aws ecr create-pull-through-cache-rule --ecr-repository-prefix {prefix} --upstream-registry-url {upstream}{cli_cred} --region {region}"
            ),
        ),
        Remedy::new(
            RemedyKind::Cloudformation,
            "the pull-through cache rule",
            format!(
                "PullThroughCacheRule:\n  Type: AWS::ECR::PullThroughCacheRule\n  Properties:\n    EcrRepositoryPrefix: {prefix}\n    UpstreamRegistryUrl: {upstream}{cfn_cred}"
            ),
        ),
        Remedy::new(
            RemedyKind::Terraform,
            "the pull-through cache rule",
            format!(
                "resource \"aws_ecr_pull_through_cache_rule\" \"upstream\" {{\n  ecr_repository_prefix = \"{prefix}\"\n  upstream_registry_url = \"{upstream}\"{tf_cred}\n}}"
            ),
        ),
    ]
}

/// The VPC's DHCP options back to AmazonProvidedDNS, and a Route 53 Resolver forwarding
/// rule for the names only the custom server knows.
pub fn resolver(region: &str, custom: &str) -> Vec<Remedy> {
    vec![
        Remedy::new(
            RemedyKind::Cli,
            "DHCP options that give tasks the VPC resolver",
            format!(
                "aws ec2 create-dhcp-options --dhcp-configurations Key=domain-name-servers,Values=AmazonProvidedDNS --region {region}"
            ),
        ),
        Remedy::new(
            RemedyKind::Cli,
            "associate them with the VPC",
            format!(
                "aws ec2 associate-dhcp-options --dhcp-options-id <dhcp-options-id> --vpc-id <vpc-id> --region {region}"
            ),
        ),
        Remedy::new(
            RemedyKind::Cli,
            "forward your own domain to the custom server through a Route 53 Resolver outbound endpoint",
            format!(
                "aws route53resolver create-resolver-rule --creator-request-id vpce-probe-remedy --rule-type FORWARD --domain-name <corp-domain> --resolver-endpoint-id <outbound-resolver-endpoint-id> --target-ips Ip={custom},Port=53 --region {region}"
            ),
        ),
        Remedy::new(
            RemedyKind::Cloudformation,
            "DHCP options and the forwarding rule",
            format!(
                "VpcDhcpOptions:\n  Type: AWS::EC2::DHCPOptions\n  Properties:\n    DomainNameServers:\n      - AmazonProvidedDNS\nVpcDhcpOptionsAssociation:\n  Type: AWS::EC2::VPCDHCPOptionsAssociation\n  Properties:\n    DhcpOptionsId: !Ref VpcDhcpOptions\n    VpcId: <vpc-id>\nCorpForwardRule:\n  Type: AWS::Route53Resolver::ResolverRule\n  Properties:\n    RuleType: FORWARD\n    DomainName: <corp-domain>\n    ResolverEndpointId: <outbound-resolver-endpoint-id>\n    TargetIps:\n      - Ip: {custom}\n        Port: \"53\""
            ),
        ),
        Remedy::new(
            RemedyKind::Terraform,
            "DHCP options and the forwarding rule",
            format!(
                "resource \"aws_vpc_dhcp_options\" \"amazon_dns\" {{\n  domain_name_servers = [\"AmazonProvidedDNS\"]\n}}\n\nresource \"aws_vpc_dhcp_options_association\" \"amazon_dns\" {{\n  vpc_id          = \"<vpc-id>\"\n  dhcp_options_id = aws_vpc_dhcp_options.amazon_dns.id\n}}\n\nresource \"aws_route53_resolver_rule\" \"corp\" {{\n  domain_name          = \"<corp-domain>\"\n  rule_type            = \"FORWARD\"\n  resolver_endpoint_id = \"<outbound-resolver-endpoint-id>\"\n  target_ip {{\n    ip   = \"{custom}\"\n    port = 53\n  }}\n}}"
            ),
        ),
    ]
}

/// DNS support (the VPC resolver) turned on for the VPC.
pub fn dns_support(region: &str) -> Vec<Remedy> {
    vec![
        Remedy::new(
            RemedyKind::Cli,
            "turn on the VPC's DNS support (the Amazon-provided resolver)",
            format!(
                "aws ec2 modify-vpc-attribute --vpc-id <vpc-id> --enable-dns-support {} --region {region}",
                sq(r#"{"Value":true}"#)
            ),
        ),
        Remedy::new(
            RemedyKind::Cli,
            "and DNS host names (private DNS of interface endpoints needs both)",
            format!(
                "aws ec2 modify-vpc-attribute --vpc-id <vpc-id> --enable-dns-hostnames {} --region {region}",
                sq(r#"{"Value":true}"#)
            ),
        ),
        Remedy::new(
            RemedyKind::Cloudformation,
            "the VPC's DNS attributes",
            "Vpc:\n  Type: AWS::EC2::VPC\n  Properties:\n    CidrBlock: <vpc-cidr>\n    EnableDnsSupport: true\n    EnableDnsHostnames: true".to_string(),
        ),
        Remedy::new(
            RemedyKind::Terraform,
            "the VPC's DNS attributes",
            "resource \"aws_vpc\" \"this\" {\n  cidr_block           = \"<vpc-cidr>\"\n  enable_dns_support   = true\n  enable_dns_hostnames = true\n}".to_string(),
        ),
    ]
}

/// The awslogs log group.
pub fn log_group(region: &str) -> Vec<Remedy> {
    vec![
        Remedy::new(
            RemedyKind::Cli,
            "create the log group",
            format!("aws logs create-log-group --log-group-name <log-group> --region {region}"),
        ),
        Remedy::new(
            RemedyKind::Cloudformation,
            "the log group",
            "LogGroup:\n  Type: AWS::Logs::LogGroup\n  Properties:\n    LogGroupName: <log-group>"
                .to_string(),
        ),
        Remedy::new(
            RemedyKind::Terraform,
            "the log group",
            "resource \"aws_cloudwatch_log_group\" \"task\" {\n  name = \"<log-group>\"\n}"
                .to_string(),
        ),
    ]
}
