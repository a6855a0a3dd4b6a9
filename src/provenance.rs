//! Where a setting or a value the probe used came from, as the report names it.

use crate::value_set::value_set;

value_set! {
    /// Where the probed image reference came from.
    pub enum ImageSource {
        /// `--image`.
        Flag = "flag",
        /// This container's own image, from ECS task metadata.
        TaskMetadata = "task_metadata",
        /// The first container of `--task-definition` with a private ECR image.
        TaskDefinition = "task_definition",
    }
}

value_set! {
    /// Where the region the task runs in came from.
    pub enum TaskRegionSource {
        /// `--region`.
        Flag = "flag",
        /// `AWS_REGION` or `AWS_DEFAULT_REGION`.
        Environment = "environment",
        /// The task's ARN in ECS task metadata.
        TaskMetadata = "task_metadata",
    }
}

value_set! {
    /// Where the region whose ECR endpoints are probed came from.
    pub enum RegionSource {
        /// A private ECR image's own region.
        Image = "image",
        /// `--region`, for an image that names no region.
        Flag = "flag",
        /// `AWS_REGION` or `AWS_DEFAULT_REGION`, likewise.
        Environment = "environment",
        /// The task's ARN in ECS task metadata, likewise.
        TaskMetadata = "task_metadata",
    }
}

impl From<TaskRegionSource> for RegionSource {
    fn from(s: TaskRegionSource) -> Self {
        match s {
            TaskRegionSource::Flag => RegionSource::Flag,
            TaskRegionSource::Environment => RegionSource::Environment,
            TaskRegionSource::TaskMetadata => RegionSource::TaskMetadata,
        }
    }
}

value_set! {
    /// Where the DNS servers asked came from.
    pub enum ResolversSource {
        /// This container's resolver configuration, as a pull from here would use it.
        ResolvConf = "resolv.conf",
        /// `--dns-server`.
        Flag = "flag",
    }
}

value_set! {
    /// Where a service endpoint's URL came from.
    pub enum EndpointSource {
        /// The standard name of the region.
        Default = "default",
        /// The image reference's registry host.
        Image = "image",
        /// `--endpoint`.
        Flag = "flag",
        /// `AWS_ENDPOINT_URL_*` / `AWS_ENDPOINT_URL`.
        Environment = "environment",
    }
}

value_set! {
    /// Which source of the AWS default credential chain provided the credentials.
    pub enum CredentialSource {
        /// The ECS container credentials endpoint.
        Container = "container",
        /// `AWS_ACCESS_KEY_ID` and friends.
        Environment = "environment",
        /// A shared config/credentials file profile.
        Profile = "profile",
        /// `AWS_WEB_IDENTITY_TOKEN_FILE`.
        WebIdentity = "web_identity",
        /// The EC2 instance metadata service.
        Imds = "imds",
        /// A provider the probe does not know by name.
        Unknown = "unknown",
    }
}
